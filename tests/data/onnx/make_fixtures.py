#!/usr/bin/env python3
"""Generates the ONNX test fixtures of tests/onnx_format.rs (needs only `onnx` and `numpy`).

Run from anywhere: `python3 tests/data/onnx/make_fixtures.py`. Deterministic: the same files
come out on every run. Each fixture is a small network with 2 inputs and 3-4 hidden neurons,
written the way some exporter writes it. For every valid fixture, NAME.expected.json holds a
few input points and the outputs of onnx's ReferenceEvaluator: evaluated on a float64 twin of
the graph (same structure, same weights widened exactly to float64), so that the expected
values carry no float32 rounding and the Rust reader can be held to 1e-6.
"""

import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from onnx.reference import ReferenceEvaluator

HERE = os.path.dirname(os.path.abspath(__file__))
RNG = np.random.default_rng(20240611)
F32 = TensorProto.FLOAT
F64 = TensorProto.DOUBLE


def weights(*shape, scale=0.9):
    return (RNG.standard_normal(shape) * scale).astype(np.float32)


def typed(name, array, data_type=F32):
    """An initializer in the typed field (float_data / double_data)."""
    array = np.asarray(array)
    return helper.make_tensor(name, data_type, array.shape, array.flatten().tolist())


def raw(name, array):
    """An initializer in raw_data (numpy_helper writes little-endian raw bytes)."""
    return numpy_helper.from_array(np.asarray(array), name)


def vinfo(name, shape, elem=F32):
    return helper.make_tensor_value_info(name, elem, shape)


def model(nodes, inits, in_shape, out_shape, opset=13, ir=8, elem=F32, extra_inputs=()):
    graph = helper.make_graph(
        nodes,
        "fixture",
        [vinfo("x", in_shape, elem), *extra_inputs],
        [vinfo("y", out_shape, elem)],
        inits,
    )
    m = helper.make_model(
        graph, producer_name="make_fixtures.py", opset_imports=[helper.make_opsetid("", opset)]
    )
    m.ir_version = ir
    return m


# Shared weights: layer 1 is 2 -> 3 (W1 rows = outputs), layer 2 is 3 -> 1.
W1, B1 = weights(3, 2), weights(3, scale=0.5)
W2, B2 = weights(1, 3), weights(1, scale=0.5)
# 2 -> 4 -> 1 for the MatMul fixtures.
M1, C1 = weights(2, 4), weights(4, scale=0.5)
M2, C2 = weights(4, 1), weights(1, scale=0.5)


def gemm_node(a, w, b, out, name, **attrs):
    inputs = [a, w] + ([b] if b else [])
    return helper.make_node("Gemm", inputs, [out], name=name, **attrs)


def gemm_relu_gemm(first_input="x", prefix_nodes=(), extra_inits=(), **kw):
    nodes = [
        *prefix_nodes,
        gemm_node(first_input, "W1", "B1", "h1", "fc1", transB=1),
        helper.make_node("Relu", ["h1"], ["r1"], name="relu1"),
        gemm_node("r1", "W2", "B2", "y", "fc2", transB=1),
    ]
    inits = [typed("W1", W1), typed("B1", B1), typed("W2", W2), typed("B2", B2), *extra_inits]
    return nodes, inits


def fixtures():
    """name -> (model, input shape of one point fed to the evaluator)"""
    out = {}

    nodes, inits = gemm_relu_gemm()
    out["gemm_transB"] = (model(nodes, inits, ["N", 2], ["N", 1]), (1, 2))

    # transB = 0 (weights in x out), alpha and beta != 1.
    nodes = [
        gemm_node("x", "W1t", "B1", "h1", "fc1", alpha=0.5, beta=2.0),
        helper.make_node("Relu", ["h1"], ["r1"], name="relu1"),
        gemm_node("r1", "W2t", "B2", "y", "fc2", alpha=1.5, beta=-1.0),
    ]
    inits = [typed("W1t", W1.T), typed("B1", B1), typed("W2t", W2.T), typed("B2", B2)]
    out["gemm_noTrans"] = (model(nodes, inits, ["N", 2], ["N", 1]), (1, 2))

    # PyTorch style: x·W + b with W of shape in x out.
    nodes = [
        helper.make_node("MatMul", ["x", "M1"], ["m1"], name="mm1"),
        helper.make_node("Add", ["m1", "C1"], ["h1"], name="add1"),
        helper.make_node("Relu", ["h1"], ["r1"], name="relu1"),
        helper.make_node("MatMul", ["r1", "M2"], ["m2"], name="mm2"),
        helper.make_node("Add", ["C2", "m2"], ["y"], name="add2"),  # bias first
    ]
    inits = [typed("M1", M1), typed("C1", C1), typed("M2", M2), typed("C2", C2)]
    out["matmul_add"] = (model(nodes, inits, ["N", 2], ["N", 1]), (1, 2))

    # W·x on a vector input of shape [2].
    nodes = [
        helper.make_node("MatMul", ["M1t", "x"], ["m1"], name="mm1"),
        helper.make_node("Add", ["m1", "C1"], ["h1"], name="add1"),
        helper.make_node("Relu", ["h1"], ["r1"], name="relu1"),
        helper.make_node("MatMul", ["M2t", "r1"], ["m2"], name="mm2"),
        helper.make_node("Add", ["m2", "C2"], ["y"], name="add2"),
    ]
    inits = [typed("M1t", M1.T), typed("C1", C1), typed("M2t", M2.T), typed("C2", C2)]
    out["matmul_weight_first"] = (model(nodes, inits, [2], [1]), (2,))

    # Old exporters (skl2onnx, IR 3) list every initializer as a graph input too.
    nodes, inits = gemm_relu_gemm()
    listed = [vinfo(t.name, list(t.dims)) for t in inits]
    out["weights_as_graph_inputs"] = (
        model(nodes, inits, ["N", 2], ["N", 1], opset=9, ir=3, extra_inputs=listed),
        (1, 2),
    )

    nodes, inits = gemm_relu_gemm(
        "x0",
        [helper.make_node("Sub", ["x", "zeros"], ["x0"], name="prologue")],
        [typed("zeros", np.zeros(2, np.float32))],
    )
    out["sub_prologue"] = (model(nodes, inits, ["N", 2], ["N", 1]), (1, 2))

    nodes, inits = gemm_relu_gemm(
        "flat", [helper.make_node("Flatten", ["x"], ["flat"], name="flatten", axis=1)]
    )
    out["flatten_4d_input"] = (model(nodes, inits, [1, 1, 1, 2], [1, 1]), (1, 1, 1, 2))

    nodes, inits = gemm_relu_gemm(
        "flat",
        [helper.make_node("Reshape", ["x", "shape"], ["flat"], name="reshape")],
        [typed("shape", np.array([-1, 2], np.int64), TensorProto.INT64)],
    )
    out["reshape_input"] = (model(nodes, inits, ["N", 1, 2], ["N", 1]), (1, 1, 2))

    # Unsqueeze then Squeeze (opset 13: axes as inputs), then Gemm.
    nodes, inits = gemm_relu_gemm(
        "sq",
        [
            helper.make_node("Unsqueeze", ["x", "ax1"], ["us"], name="unsqueeze"),
            helper.make_node("Squeeze", ["us", "ax1"], ["sq"], name="squeeze"),
        ],
        [typed("ax1", np.array([1], np.int64), TensorProto.INT64)],
    )
    out["squeeze_unsqueeze"] = (model(nodes, inits, ["N", 2], ["N", 1]), (1, 2))

    # Two Gemm without activation between them, then Relu and the output Gemm.
    L0, b0 = weights(4, 2), weights(4, scale=0.5)
    nodes = [
        gemm_node("x", "L0", "b0", "h0", "fc0", transB=1),
        gemm_node("h0", "L1", "B1", "h1", "fc1", transB=1),
        helper.make_node("Relu", ["h1"], ["r1"], name="relu1"),
        gemm_node("r1", "W2", "B2", "y", "fc2", transB=1),
    ]
    inits = [typed("L0", L0), typed("b0", b0), typed("L1", weights(3, 4)), typed("B1", B1),
             typed("W2", W2), typed("B2", B2)]
    out["linear_chain"] = (model(nodes, inits, ["N", 2], ["N", 1]), (1, 2))

    nodes = [
        helper.make_node("MatMul", ["x", "M1"], ["h1"], name="mm1"),
        helper.make_node("Relu", ["h1"], ["r1"], name="relu1"),
        helper.make_node("MatMul", ["r1", "M2"], ["y"], name="mm2"),
    ]
    out["no_bias"] = (model(nodes, [typed("M1", M1), typed("M2", M2)], ["N", 2], ["N", 1]), (1, 2))

    # Clip(min, max) with the bounds as inputs (opset >= 11): clipped ReLU, cap 0.8.
    nodes = [
        gemm_node("x", "W1", "B1", "h1", "fc1", transB=1),
        helper.make_node("Clip", ["h1", "lo", "hi"], ["r1"], name="clip1"),
        gemm_node("r1", "W2", "B2", "y", "fc2", transB=1),
    ]
    inits = [typed("W1", W1), typed("B1", B1), typed("W2", W2), typed("B2", B2),
             typed("lo", np.float32(0.0)), typed("hi", np.float32(0.8))]
    out["clip_opset13"] = (model(nodes, inits, ["N", 2], ["N", 1]), (1, 2))

    # Clip-6: min/max attributes (and Gemm-6, which needs broadcast=1 for a bias vector).
    nodes = [
        gemm_node("x", "W1", "B1", "h1", "fc1", transB=1, broadcast=1),
        helper.make_node("Clip", ["h1"], ["r1"], name="clip1", min=0.0, max=0.8),
        gemm_node("r1", "W2", "B2", "y", "fc2", transB=1, broadcast=1),
    ]
    inits = [typed("W1", W1), typed("B1", B1), typed("W2", W2), typed("B2", B2)]
    out["clip_opset6"] = (model(nodes, inits, ["N", 2], ["N", 1], opset=6, ir=3,
                                extra_inputs=[vinfo(t.name, list(t.dims)) for t in inits]),
                          (1, 2))

    # float64 everywhere, values that float32 cannot hold.
    D1 = RNG.standard_normal((3, 2)) * 0.9
    nodes = [
        gemm_node("x", "D1", "E1", "h1", "fc1", transB=1),
        helper.make_node("Relu", ["h1"], ["r1"], name="relu1"),
        gemm_node("r1", "D2", "E2", "y", "fc2", transB=1),
    ]
    inits = [typed("D1", D1, F64), typed("E1", RNG.standard_normal(3) * 0.5, F64),
             typed("D2", RNG.standard_normal((1, 3)), F64), raw("E2", RNG.standard_normal(1))]
    out["float64_initializers"] = (model(nodes, inits, ["N", 2], ["N", 1], elem=F64), (1, 2))

    nodes, _ = gemm_relu_gemm()
    inits = [raw("W1", W1), raw("B1", B1), raw("W2", W2), raw("B2", B2)]
    out["raw_data_initializers"] = (model(nodes, inits, ["N", 2], ["N", 1]), (1, 2))

    # Symbolic batch dims on input and output, and a 2-output network.
    W3 = weights(2, 3)
    nodes, inits = gemm_relu_gemm()
    nodes[-1] = gemm_node("r1", "W3", None, "y", "fc2", transB=1)
    inits = [typed("W1", W1), typed("B1", B1), typed("W3", W3)]
    out["dynamic_batch"] = (model(nodes, inits, ["batch_size", 2], ["batch_size", 2]), (1, 2))

    # The bias of the first layer comes from a Constant node.
    nodes = [
        helper.make_node("Constant", [], ["cb"], name="const_bias", value=typed("", B1)),
        gemm_node("x", "W1", None, "g1", "fc1", transB=1),
        helper.make_node("Add", ["g1", "cb"], ["h1"], name="add1"),
        helper.make_node("Relu", ["h1"], ["r1"], name="relu1"),
        gemm_node("r1", "W2", "B2", "y", "fc2", transB=1),
    ]
    inits = [typed("W1", W1), typed("W2", W2), typed("B2", B2)]
    out["constant_bias"] = (model(nodes, inits, ["N", 2], ["N", 1]), (1, 2))

    # Input normalisation (x - mean) / std and output de-standardisation y * s + m.
    nodes = [
        helper.make_node("Sub", ["x", "mean"], ["xc"], name="center"),
        helper.make_node("Div", ["xc", "std"], ["xs"], name="scale"),
        gemm_node("xs", "W1", "B1", "h1", "fc1", transB=1),
        helper.make_node("Relu", ["h1"], ["r1"], name="relu1"),
        gemm_node("r1", "W2", "B2", "z", "fc2", transB=1),
        helper.make_node("Mul", ["z", "ys"], ["zs"], name="unscale"),
        helper.make_node("Add", ["zs", "ym"], ["y"], name="uncenter"),
    ]
    inits = [typed("mean", np.array([0.25, -0.5], np.float32)),
             typed("std", np.array([1.5, 0.75], np.float32)),
             typed("W1", W1), typed("B1", B1), typed("W2", W2), typed("B2", B2),
             typed("ys", np.float32(3.0)), typed("ym", np.array([[-1.25]], np.float32))]
    out["normalized_io"] = (model(nodes, inits, ["N", 2], ["N", 1]), (1, 2))
    return out


def to_double(m):
    """The float64 twin of a float32 model: same graph, FLOAT tensors widened exactly."""
    m = onnx.ModelProto.FromString(m.SerializeToString())

    def widen(t):
        if t.data_type == F32:
            t.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(t).astype(np.float64), t.name))

    for t in m.graph.initializer:
        widen(t)
    for node in m.graph.node:
        for a in node.attribute:
            if a.type == onnx.AttributeProto.TENSOR:
                widen(a.t)
    for v in [*m.graph.input, *m.graph.output]:
        if v.type.tensor_type.elem_type == F32:
            v.type.tensor_type.elem_type = F64
    return m


def evaluate(m, points, point_shape, batched):
    """Outputs of ReferenceEvaluator, one row per point (all points in one batch if batched)."""
    sess = ReferenceEvaluator(m)
    dtype = np.float64 if m.graph.input[0].type.tensor_type.elem_type == F64 else np.float32
    if batched:
        (y,) = sess.run(None, {"x": np.asarray(points, dtype)})
        return np.asarray(y, np.float64).tolist()
    rows = []
    for p in points:
        (y,) = sess.run(None, {"x": np.asarray(p, dtype).reshape(point_shape)})
        rows.append(np.asarray(y, np.float64).flatten().tolist())
    return rows


def main():
    points = [[0.0, 0.0], [1.0, -1.0], [-1.5, 0.5], [0.3, 1.7], [-2.0, -2.0], [1.9, 0.1]]
    for name, (m, point_shape) in fixtures().items():
        onnx.checker.check_model(m, full_check=True)
        path = os.path.join(HERE, name + ".onnx")
        with open(path, "wb") as f:
            f.write(m.SerializeToString())
        twin = to_double(m)
        onnx.checker.check_model(twin, full_check=True)
        batched = name == "dynamic_batch"
        expected = evaluate(twin, points, point_shape, batched)
        single = evaluate(m, points, point_shape, batched)  # the fixture in its own precision
        assert np.allclose(expected, single, rtol=1e-4, atol=1e-5), name
        with open(os.path.join(HERE, name + ".expected.json"), "w") as f:
            json.dump({"input_shape": list(point_shape), "points": points,
                       "outputs": expected}, f, indent=1)
            f.write("\n")

    # An operator reluscope does not translate.
    m, _ = fixtures()["gemm_transB"]
    m.graph.node[1].op_type = "Sigmoid"
    m.graph.node[1].name = "act_sigmoid"
    onnx.checker.check_model(m)
    with open(os.path.join(HERE, "unsupported_sigmoid.onnx"), "wb") as f:
        f.write(m.SerializeToString())

    # The first half of a valid file.
    with open(os.path.join(HERE, "gemm_transB.onnx"), "rb") as f:
        data = f.read()
    with open(os.path.join(HERE, "truncated.onnx"), "wb") as f:
        f.write(data[: len(data) // 2])


if __name__ == "__main__":
    main()
