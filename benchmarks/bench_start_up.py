"""The paths users wait on (issue 12), cold, a fresh process each: `nnspec validate` of the
Iris spec against a bare `python -c pass`, and converting the Iris `.keras` file to torch
with `--no-check` (which imports no torch: the .pt is written without it) against the same
bare interpreter, with `python -c "import torch"` alongside for what torch alone would
cost, all measured in the same run, interleaved, median of RUNS after one warm-up.

Bytecode caches are written by the warm-up (PYTHONDONTWRITEBYTECODE is dropped for the
children), as they are in any installed copy.

Run: python benchmarks/bench_start_up.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_spec import console_script

ROOT = Path(__file__).resolve().parent.parent
RUNS = 5
VALIDATE_GOAL_S = 0.2
CONVERT_GOAL_S = 2.5
BARE, VALIDATE = "python -c pass", "nnspec validate iris.yaml"
TORCH, CONVERT = 'python -c "import torch"', "nnspec convert iris.keras --to torch --no-check"
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "TF_ENABLE_ONEDNN_OPTS": "0",
}


def iris_keras(folder: Path) -> Path:
    """The Iris model as Keras saves it (built from examples/iris.yaml, in a child process)."""
    path = folder / "iris.keras"
    code = f"import nnspec; nnspec.compile_keras({str(ROOT / 'examples' / 'iris.yaml')!r}).save({str(path)!r})"
    subprocess.run([sys.executable, "-c", code], check=True, env=ENV, capture_output=True)
    return path


def medians(commands: dict[str, list[str]], runs: int = RUNS) -> dict[str, float]:
    """Median wall time of each command (interleaved, so that load on the machine falls on all)."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for attempt in range(runs + 1):
        for name, argv in commands.items():
            start = time.perf_counter()
            done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV, check=False)
            elapsed = time.perf_counter() - start
            if done.returncode != 0:
                raise SystemExit(f"{' '.join(argv)} failed: {done.stderr.decode(errors='replace')}")
            if attempt:  # the first is the warm-up
                times[name].append(elapsed)
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    nnspec = console_script("nnspec")
    with tempfile.TemporaryDirectory() as folder:
        keras_file = iris_keras(Path(folder))
        commands = {
            BARE: [sys.executable, "-c", "pass"],
            VALIDATE: [nnspec, "validate", str(ROOT / "examples" / "iris.yaml")],
            TORCH: [sys.executable, "-c", "import torch"],
            CONVERT: [
                *(nnspec, "convert", str(keras_file), "--to", "torch", "--no-check", "-o", str(Path(folder) / "out")),
            ],
        }
        load = os.getloadavg()[0]
        figures = medians(commands)
    print(f"cold start, median of {RUNS} after 1 warm-up, interleaved; CPUs {os.cpu_count()}, load average {load:.2f}")
    for name, seconds in figures.items():
        print(f"  {name:<50} {seconds:6.3f} s")
    validate, convert = figures[VALIDATE], figures[CONVERT]
    print(f"  validate beyond python -c pass:         {validate - figures[BARE]:6.3f} s")
    print(f"  convert beyond python -c pass:          {convert - figures[BARE]:6.3f} s")
    verdict = {True: "PASS", False: "FAIL"}
    print(
        f"goals: validate < {VALIDATE_GOAL_S} s: {verdict[validate < VALIDATE_GOAL_S]} ({validate:.3f} s), "
        f"convert --no-check < {CONVERT_GOAL_S} s: {verdict[convert < CONVERT_GOAL_S]} ({convert:.3f} s)"
    )


if __name__ == "__main__":
    main()
