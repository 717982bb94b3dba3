#!/usr/bin/env python3
"""Times commands from a cold-ish start, as `../shared/anchors/side_by_side.py` meets them: before
each run a Python process touches 300 MB (evicting caches and TLB entries, as the Gurobi process
before each reluscope run does there), then `subprocess.run` times the command. Commands alternate
in a shuffled order each round; prints the median and quartiles of each.

    python3 scripts/cold_start.py ROUNDS "name=COMMAND ARGS" ["name=COMMAND ARGS" ...]
    python3 scripts/cold_start.py 40 "true=/bin/true" \
        "solve=target/release/reluscope solve sample_networks/ackley_25x2_l1.json --json"
"""
import random
import statistics
import subprocess
import sys
import time

THRASH = [sys.executable, "-c", "b = bytearray(300 << 20)\nfor i in range(0, len(b), 4096): b[i] = 1"]


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    rounds = int(sys.argv[1])
    commands = {}
    for spec in sys.argv[2:]:
        name, command = spec.split("=", 1)
        commands[name] = command.split()
    walls = {name: [] for name in commands}
    for _ in range(rounds):
        order = list(commands)
        random.shuffle(order)
        for name in order:
            subprocess.run(THRASH, check=True)
            t0 = time.perf_counter()
            done = subprocess.run(commands[name], capture_output=True)
            walls[name].append(time.perf_counter() - t0)
            if done.returncode != 0:
                sys.exit(f"{name} failed ({done.returncode}): {done.stderr.decode()[-300:]}")
    for name, w in walls.items():
        w.sort()
        print(f"{name:12s} median {statistics.median(w) * 1e3:6.2f} ms"
              f"  q1 {w[len(w) // 4] * 1e3:6.2f}  q3 {w[3 * len(w) // 4] * 1e3:6.2f}")


if __name__ == "__main__":
    main()
