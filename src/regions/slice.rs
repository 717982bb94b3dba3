//! A 2-D slice of a higher-dimensional input: two free axes through a fixed point.

use super::RegionsError;
use crate::network::{InputBox, Layer, Network};

/// The plane `{x : x_k = point_k for k ∉ {i, j}}` of the input space, with `x_i`, `x_j` free
/// in their box ranges. Plane coordinates are `(x_i, x_j)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Slice {
    /// The two free input axes `(i, j)`, `i ≠ j`.
    pub axes: [usize; 2],
    /// The point the plane passes through (its entries `i` and `j` are ignored); `None`
    /// means the centre of the box.
    pub point: Option<Vec<f64>>,
}

impl Slice {
    /// Parses `"i,j"` or `"i,j@x0,x1,..."` (the point in full input coordinates).
    pub fn parse(text: &str) -> Result<Self, RegionsError> {
        let (axes_text, point_text) = match text.split_once('@') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let axes: Vec<usize> = axes_text
            .split(',')
            .map(|s| {
                s.trim().parse::<usize>().map_err(|_| {
                    RegionsError::Slice(format!(
                        "\"{}\" is not an input index (expected \"i,j\" or \"i,j@x0,x1,...\")",
                        s.trim()
                    ))
                })
            })
            .collect::<Result<_, _>>()?;
        let [i, j] = axes.as_slice() else {
            return Err(RegionsError::Slice(format!(
                "expected two axes \"i,j\", found {}",
                axes.len()
            )));
        };
        let point = point_text
            .map(|p| {
                p.split(',')
                    .map(|s| {
                        let s = s.trim();
                        s.parse::<f64>()
                            .ok()
                            .filter(|v| v.is_finite())
                            .ok_or_else(|| {
                                RegionsError::Slice(format!("\"{s}\" is not a finite number"))
                            })
                    })
                    .collect::<Result<Vec<f64>, _>>()
            })
            .transpose()?;
        Ok(Self {
            axes: [*i, *j],
            point,
        })
    }

    /// Checks the slice against `network` and `input_box`; returns the base point.
    pub fn base_point(
        &self,
        network: &Network,
        input_box: &InputBox,
    ) -> Result<Vec<f64>, RegionsError> {
        let d = network.input_dim();
        if input_box.dim() != d {
            return Err(RegionsError::BoxDimension {
                expected: d,
                found: input_box.dim(),
            });
        }
        let [i, j] = self.axes;
        if i >= d || j >= d {
            return Err(RegionsError::Slice(format!(
                "axis {} is out of range: the network has {d} inputs, numbered 0..{}",
                i.max(j),
                d - 1
            )));
        }
        if i == j {
            return Err(RegionsError::Slice(format!(
                "the two axes must differ, found {i} twice"
            )));
        }
        let point = match &self.point {
            Some(p) if p.len() != d => {
                return Err(RegionsError::Slice(format!(
                    "the point has {} coordinates but the network takes {d} inputs",
                    p.len()
                )));
            }
            Some(p) => p.clone(),
            None => input_box.center(),
        };
        let mut inside = point.clone();
        inside[i] = input_box.lower()[i];
        inside[j] = input_box.lower()[j];
        if !input_box.contains(&inside, 0.0) {
            return Err(RegionsError::Slice(format!(
                "the point {point:?} lies outside the box {}",
                input_box.to_cli_string()
            )));
        }
        Ok(point)
    }

    /// The 2-input network `g(u, v) = f(lift(u, v))` and the plane box
    /// `[lo_i, hi_i] × [lo_j, hi_j]`: the first layer becomes `W[:, (i, j)]` with bias
    /// `b + Σ_{k∉{i,j}} W[:, k] x_k`; every other layer is unchanged, so the hidden neurons and
    /// their patterns are those of the original network.
    pub fn restrict(
        &self,
        network: &Network,
        input_box: &InputBox,
    ) -> Result<(Network, InputBox), RegionsError> {
        let point = self.base_point(network, input_box)?;
        let [i, j] = self.axes;
        let mut layers: Vec<Layer> = network.layers().to_vec();
        let first = &network.layers()[0];
        let mut bias = first.bias.clone();
        for (k, &xk) in point.iter().enumerate() {
            if k != i && k != j {
                bias.scaled_add(xk, &first.weights.column(k));
            }
        }
        let weights = ndarray::stack(
            ndarray::Axis(1),
            &[first.weights.column(i), first.weights.column(j)],
        )
        .map_err(|e| RegionsError::Slice(format!("cannot restrict the first layer: {e}")))?;
        layers[0] = Layer::new(weights, bias, first.activation);
        let plane_box = InputBox::new(
            vec![input_box.lower()[i], input_box.lower()[j]],
            vec![input_box.upper()[i], input_box.upper()[j]],
        )?;
        let restricted = Network::new(layers, Some(plane_box.clone()))?.named(network.name.clone());
        Ok((restricted, plane_box))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::tests::random_network;

    #[test]
    fn parses_axes_and_point() {
        let s = Slice::parse("0, 2@0.5,-1,0.25").unwrap();
        assert_eq!(s.axes, [0, 2]);
        assert_eq!(s.point, Some(vec![0.5, -1.0, 0.25]));
        assert_eq!(Slice::parse("1,0").unwrap().point, None);
        for bad in ["1", "1,2,3", "a,1", "0,1@x", "0,1@nan"] {
            assert!(Slice::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_restricted_network_is_the_function_on_the_plane() {
        let net = random_network(&[4, 5, 3, 1], 7);
        let b = net.input_box().unwrap().clone();
        let s = Slice::parse("3,1@0.1,0.2,-0.3,0.4").unwrap();
        let (plane_net, plane_box) = s.restrict(&net, &b).unwrap();
        assert_eq!(plane_net.input_dim(), 2);
        assert_eq!(plane_box.dim(), 2);
        let base = s.base_point(&net, &b).unwrap();
        for uv in [[0.3, -0.7], [-1.0, 1.0], [0.0, 0.0]] {
            let mut full = base.clone();
            full[3] = uv[0];
            full[1] = uv[1];
            assert!((plane_net.forward(&uv)[0] - net.forward(&full)[0]).abs() < 1e-12);
        }
    }

    #[test]
    fn rejects_slices_that_do_not_fit() {
        let net = random_network(&[3, 4, 1], 1);
        let b = net.input_box().unwrap().clone();
        let err = |t: &str| Slice::parse(t).unwrap().restrict(&net, &b).unwrap_err();
        assert!(err("0,3").to_string().contains("out of range"));
        assert!(err("1,1").to_string().contains("differ"));
        assert!(err("0,1@0,0").to_string().contains("coordinates"));
        assert!(err("0,1@0,0,5").to_string().contains("outside"));
    }
}
