"""`nnspec plot` of a 200-layer residual network (Dense pairs, each skipped by an Add; 301
boxes, 400 arrows), issue 13's goal: under 2 s on two cores (SVG; PNG reported beside it).

Cold, a fresh process each (median of RUNS after a warm-up, interleaved with the
baseline, `nnspec validate` of the same spec: loading it); then warm, in one process,
where the time goes: loading, graph and layout, drawing each format.

Run: python benchmarks/bench_plot.py
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench_spec import console_script
from bench_start_up import medians

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from plot_specs import residual_spec

import nnspec
from nnspec.compiler.plot import render
from nnspec.compiler.plot.graph import plot_graph
from nnspec.compiler.plot.layout import layout

RUNS = 5
GOAL_S = 2.0
FORMATS = ("svg", "png", "pdf", "dot", "mermaid")


def warm(seconds_of: dict[str, object], runs: int = RUNS) -> dict[str, float]:
    """Median time of each callable, in this process (the first call of each not counted)."""
    out = {}
    for name, call in seconds_of.items():
        times = []
        for attempt in range(runs + 1):
            start = time.perf_counter()
            call()  # type: ignore[operator]
            if attempt:
                times.append(time.perf_counter() - start)
        out[name] = statistics.median(times)
    return out


def main() -> None:
    nnspec_script = console_script("nnspec")
    spec = residual_spec(200)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "residual.json"
        path.write_text(json.dumps(spec), encoding="utf-8")
        commands = {"nnspec validate (load: the baseline)": [nnspec_script, "validate", str(path)]}
        for fmt in ("svg", "png", "dot"):
            commands[f"nnspec plot -o residual.{fmt}"] = [nnspec_script, "plot", str(path), "-o", f"{folder}/r.{fmt}"]
        load = os.getloadavg()[0]
        cold = medians(commands, RUNS)
    loaded = nnspec.load(spec)
    graph = plot_graph(loaded.graph)
    steps = {"load the spec": lambda: nnspec.load(spec), "graph + layout": lambda: layout(plot_graph(loaded.graph))}
    steps |= {f"render {fmt} (graph, layout, draw)": (lambda fmt=fmt: render(loaded, fmt)) for fmt in FORMATS}
    figures = warm(steps)
    print(
        f"200-layer residual network: {len(graph.nodes)} boxes, {len(graph.edges)} arrows; "
        f"CPUs {os.cpu_count()}, load average {load:.2f}"
    )
    print(f"cold, a fresh process each, median of {RUNS} after 1 warm-up, interleaved:")
    for name, seconds in cold.items():
        print(f"  {name:<42} {seconds:6.3f} s")
    print(f"warm, in one process, median of {RUNS}:")
    for name, seconds in figures.items():
        print(f"  {name:<42} {seconds:6.3f} s")
    baseline = cold["nnspec validate (load: the baseline)"]
    svg = cold["nnspec plot -o residual.svg"]
    verdict = "PASS" if svg < GOAL_S else "FAIL"
    print(f"goal: nnspec plot to SVG < {GOAL_S} s: {verdict} ({svg:.3f} s, {svg - baseline:.3f} s beyond loading)")
    png = cold["nnspec plot -o residual.png"]
    verdict = "PASS" if png < GOAL_S else "FAIL"
    print(f"      and to PNG (144 dpi) < {GOAL_S} s: {verdict} ({png:.3f} s, {png - svg:.3f} s beyond the SVG)")


if __name__ == "__main__":
    main()
