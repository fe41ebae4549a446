"""nnspec performance figures: CLI cold start, load+summary time against model depth, and
generating both targets' source against model depth.

Run: python benchmarks/bench_spec.py
"""

from __future__ import annotations

import itertools
import shutil
import subprocess
import sys
import sysconfig
import time
from pathlib import Path
from typing import Any

from nnspec.spec import load_data
from nnspec.spec.summary import summarize

ROOT = Path(__file__).resolve().parent.parent
IRIS = ROOT / "tests" / "fixtures" / "keras3" / "iris.json"
COLD_RUNS = 5
DEPTH_RUNS = 3
SIZES = (100, 1_000, 10_000, 100_000)
GENERATE_SIZES = (1_000, 10_000, 100_000)
IRIS_GOAL_S = 0.3
DEPTH_GOAL_S = 2.0
LINEAR_RATIO_LIMIT = 15.0


def cold_time(argv: list[str], runs: int = COLD_RUNS) -> float:
    """Best wall time of `runs` fresh processes running `argv` (each must exit 0)."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.decode(errors='replace')}")
        best = min(best, elapsed)
    return best


def console_script(name: str) -> str:
    """The installed console script itself, not a version-manager shim (pyenv's add ~50 ms of bash)."""
    beside = Path(sysconfig.get_path("scripts")) / name
    found = str(beside) if beside.is_file() else shutil.which(name)
    if found is None:
        raise SystemExit(f"the {name} console script is not installed (pip install -e .)")
    return found


def deep_sequential(n: int) -> dict[str, Any]:
    """A Sequential spec: InputLayer [None, 16] then `n` Dense(16, relu) layers."""
    layers: list[dict[str, Any]] = [
        {"class_name": "InputLayer", "config": {"name": "input_layer", "batch_shape": [None, 16]}}
    ]
    layers += [
        {"class_name": "Dense", "config": {"name": f"dense_{i}", "units": 16, "activation": "relu"}} for i in range(n)
    ]
    return {"class_name": "Sequential", "config": {"name": f"deep_{n}", "layers": layers}}


def load_summary_time(n: int, runs: int = DEPTH_RUNS) -> tuple[float, int]:
    """Best in-process time of load_data + summarize on a fresh document; also the parameter count."""
    best, total = float("inf"), 0
    for _ in range(runs):
        doc = deep_sequential(n)  # built outside the timed region, fresh each run
        start = time.perf_counter()
        summary = summarize(load_data(doc).graph)
        elapsed = time.perf_counter() - start
        best, total = min(best, elapsed), summary.total_params
    return best, total


def generate_time(n: int) -> float:
    """In-process time of rendering the PyTorch and the Keras source of a loaded spec (once:
    100,000 layers take tens of seconds)."""
    from nnspec.compiler.targets.keras_model import keras_source
    from nnspec.compiler.targets.torch_module import torch_source

    loaded = load_data(deep_sequential(n))
    start = time.perf_counter()
    torch_source(loaded)
    keras_source(loaded)
    return time.perf_counter() - start


def growth(sizes: tuple[int, ...], times: dict[int, float]) -> list[float]:
    """Print and return t(b)/t(a) for each pair of consecutive sizes."""
    ratios = [times[b] / times[a] for a, b in itertools.pairwise(sizes)]
    for (a, b), ratio in zip(itertools.pairwise(sizes), ratios, strict=True):
        print(f"  growth t({b:,})/t({a:,}) = {ratio:.1f}x (linear ~ {b / a:.0f}x)")
    return ratios


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> None:
    nnspec = console_script("nnspec")

    baseline = cold_time([sys.executable, "-c", "pass"])
    iris = cold_time([nnspec, "validate", str(IRIS)])
    print(f"cold start (best of {COLD_RUNS}), {nnspec}")
    print(f"  {'python -c pass':<28} {baseline:8.3f} s")
    print(f"  {'nnspec validate iris.json':<28} {iris:8.3f} s")
    print(f"  {'ratio nnspec / python':<28} {iris / baseline:8.1f} x")
    print()

    times: dict[int, float] = {}
    print(f"load_data + summarize, Sequential Dense(16) x N (best of {DEPTH_RUNS})")
    print(f"  {'layers':>8} {'seconds':>9} {'ms/layer':>9} {'params':>11}")
    for n in SIZES:
        seconds, params = load_summary_time(n)
        times[n] = seconds
        print(f"  {n:>8,} {seconds:9.3f} {seconds / n * 1e3:9.4f} {params:>11,}")
    ratios = growth(SIZES, times)
    print()

    generated: dict[int, float] = {}
    print("generate: PyTorch and Keras source of the loaded spec, Sequential Dense(16) x N (one run each)")
    print(f"  {'layers':>8} {'seconds':>9} {'ms/layer':>9}")
    for n in GENERATE_SIZES:
        generated[n] = generate_time(n)
        print(f"  {n:>8,} {generated[n]:9.3f} {generated[n] / n * 1e3:9.4f}")
    generate_ratios = growth(GENERATE_SIZES, generated)
    print()

    iris_ok = iris < IRIS_GOAL_S
    depth_ok = times[10_000] < DEPTH_GOAL_S
    linear_ok = all(r < LINEAR_RATIO_LIMIT for r in ratios)
    generate_linear_ok = all(r < LINEAR_RATIO_LIMIT for r in generate_ratios)
    print(
        f"goals: iris < {IRIS_GOAL_S} s: {verdict(iris_ok)}, 10k layers < {DEPTH_GOAL_S:g} s: {verdict(depth_ok)}, "
        f"growth ~linear: {verdict(linear_ok)}, generate growth ~linear: {verdict(generate_linear_ok)}"
    )


if __name__ == "__main__":
    main()
