"""nnspec compiler performance figures (issue 3): spec -> torch module build time against Keras's
`model_from_json` on the same architecture, and the generated Iris module's forward time against a
hand-written torch module with the same weights.

Run: python benchmarks/bench_compile.py
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import gc
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import keras
import torch
from torch import nn

import nnspec
from nnspec.spec.write import to_keras_json

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
MODELS = ("iris", "mnist_mlp", "iris_functional")
BUILD_RUNS = 25
"""Timed builds per model and per way (after one warm-up each); figures are medians."""
COLD_RUNS = 10
"""Timed cold torch builds per model (generated-module cache evicted before each)."""
FORWARD_BATCH = 32
FORWARD_BLOCKS = 40
FORWARD_BLOCK_ITERS = 500
"""40 blocks x 500 = 20,000 forward calls per module, the two modules alternating block by block."""
FORWARD_WARMUP = 2_000
BUILD_GOAL = 0.25
"""Torch build <= 0.25x Keras's model_from_json (steady state, both after one warm-up)."""
FORWARD_GOAL = 1.03
"""Generated Iris forward <= 1.03x the hand-written module."""
GENERATED_PREFIX = "nnspec_generated_"


class HandIris(nn.Module):
    """The Iris classifier as one would write it by hand: 4 -> 50 -> 30 -> 3."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden_1 = nn.Linear(4, 50)
        self.hidden_2 = nn.Linear(50, 30)
        self.species = nn.Linear(30, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.sigmoid(self.hidden_1(x))
        x = torch.sigmoid(self.hidden_2(x))
        return torch.softmax(self.species(x), dim=-1)


def hand_sequential() -> nn.Sequential:
    """The same model as an nn.Sequential with activation modules (more module calls per forward)."""
    return nn.Sequential(
        nn.Linear(4, 50), nn.Sigmoid(), nn.Linear(50, 30), nn.Sigmoid(), nn.Linear(30, 3), nn.Softmax(dim=-1)
    )


def timed(fn: Callable[[], Any]) -> float:
    """Seconds one call of `fn` takes, the garbage of earlier calls collected first (outside the timing)."""
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def evict_generated() -> None:
    """Forget every generated module, so the next compile_torch renders, compiles and execs afresh."""
    for name in [n for n in sys.modules if n.startswith(GENERATED_PREFIX)]:
        del sys.modules[name]


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:8.2f}"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def build_figures() -> dict[str, float]:
    """Print the build table; return torch/keras ratios (steady state) by model."""
    # One-time costs, before anything else: the first compile_torch imports nnspec.compiler and compiles
    # the jinja template; the first model_from_json warms Keras's own lazy machinery.
    first_loaded = nnspec.load(EXAMPLES / f"{MODELS[0]}.yaml")
    first_text = json.dumps(to_keras_json(first_loaded.spec, first_loaded.graph))
    torch_first = timed(lambda: nnspec.compile_torch(first_loaded))
    keras_first = timed(lambda: keras.models.model_from_json(first_text))
    print(f"first call in the process ({MODELS[0]}; compiler imports, jinja template, Keras lazy setup)")
    print(f"  nnspec.compile_torch(loaded)       {ms(torch_first)} ms")
    print(f"  keras.models.model_from_json(text) {ms(keras_first)} ms")
    print()

    print(f"build time, ms: median of {BUILD_RUNS} after 1 warm-up (torch cold: median of {COLD_RUNS}, cache evicted)")
    header = ("model", "torch cold", "torch", "torch+load", "keras", "torch/keras", "+load/keras")
    print(f"  {header[0]:<16}" + "".join(f"{h:>12}" for h in header[1:]))
    ratios: dict[str, float] = {}
    for model in MODELS:
        path = EXAMPLES / f"{model}.yaml"
        loaded = nnspec.load(path)
        text = json.dumps(to_keras_json(loaded.spec, loaded.graph))
        params = keras.models.model_from_json(text).count_params()  # warm-up, and the same architecture?
        if params != loaded.graph.params.total:
            raise SystemExit(
                f"{model}: Keras built {params:,} parameters from the JSON, the spec has {loaded.graph.params.total:,}"
            )
        module = nnspec.compile_torch(loaded)  # warm-up (and fills the module cache)
        if sum(p.numel() for p in module.parameters()) != params:
            raise SystemExit(f"{model}: the torch module's parameter count differs from Keras's {params:,}")
        nnspec.compile_torch(path)

        cold = []
        for _ in range(COLD_RUNS):
            evict_generated()
            cold.append(timed(lambda loaded=loaded: nnspec.compile_torch(loaded)))
        torch_warm, torch_path, keras_warm = [], [], []
        for _ in range(BUILD_RUNS):  # interleaved, so drift hits all three alike
            torch_warm.append(timed(lambda loaded=loaded: nnspec.compile_torch(loaded)))
            torch_path.append(timed(lambda path=path: nnspec.compile_torch(path)))
            keras_warm.append(timed(lambda text=text: keras.models.model_from_json(text)))
        t_cold, t_warm, t_path, k_warm = map(statistics.median, (cold, torch_warm, torch_path, keras_warm))
        ratios[model] = t_warm / k_warm
        row = [ms(t_cold), ms(t_warm), ms(t_path), ms(k_warm), f"{t_warm / k_warm:7.3f} x", f"{t_path / k_warm:7.3f} x"]
        print(f"  {model:<16}" + "".join(f"{cell:>12}" for cell in row))
    print("  torch = nnspec.compile_torch(loaded), loaded beforehand; torch+load = nnspec.compile_torch(path);")
    print("  keras = keras.models.model_from_json(Keras 3 JSON text); cold = render + compile + exec + instantiate")
    print()
    return ratios


def forward_figures() -> float:
    """Print the forward table; return the generated/hand-written ratio."""
    generated = nnspec.compile_torch(nnspec.load(EXAMPLES / "iris.yaml")).eval()
    hand = HandIris().eval()
    hand.load_state_dict(generated.state_dict())
    sequential = hand_sequential().eval()
    sequential.load_state_dict(dict(zip(sequential.state_dict(), generated.state_dict().values(), strict=True)))
    modules = {"generated": generated, "hand nn.Module": hand, "hand Sequential": sequential}

    x = torch.randn(FORWARD_BATCH, 4, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        outputs = {name: module(x) for name, module in modules.items()}
    identical = all(torch.equal(outputs["generated"], out) for out in outputs.values())
    if not identical:
        raise SystemExit("the generated and hand-written Iris modules disagree; timing them would mean nothing")

    blocks: dict[str, list[float]] = {name: [] for name in modules}
    names = list(modules)
    with torch.no_grad():
        for module in modules.values():
            for _ in range(FORWARD_WARMUP):
                module(x)
        for b in range(FORWARD_BLOCKS):
            order = names if b % 2 == 0 else names[::-1]  # alternate order to cancel drift
            for name in order:
                module = modules[name]
                start = time.perf_counter()
                for _ in range(FORWARD_BLOCK_ITERS):
                    module(x)
                blocks[name].append((time.perf_counter() - start) / FORWARD_BLOCK_ITERS)

    total = FORWARD_BLOCKS * FORWARD_BLOCK_ITERS
    print(
        f"Iris forward, batch {FORWARD_BATCH}, no_grad, eval, 1 thread: us/call, "
        f"{FORWARD_BLOCKS} alternating blocks x {FORWARD_BLOCK_ITERS} ({total:,} calls each); outputs identical"
    )
    print(f"  {'module':<18}{'median':>9}{'best':>9}{'vs hand':>10}{'IQR':>16}")
    ratios: dict[str, float] = {}
    for name in names:
        times = blocks[name]
        paired = [t / h for t, h in zip(times, blocks["hand nn.Module"], strict=True)]
        q1, ratios[name], q3 = statistics.quantiles(paired, n=4)
        print(
            f"  {name:<18}{statistics.median(times) * 1e6:9.2f}{min(times) * 1e6:9.2f}"
            f"{ratios[name]:9.3f}x{q1:7.3f}-{q3:.3f}x"
        )
    print("  vs hand: median over blocks of time / the adjacent hand nn.Module block's time; IQR of the same (noise)")
    print()
    return ratios["generated"]


def main() -> None:
    torch.set_num_threads(1)
    gc.collect()
    gc.freeze()  # the frameworks' ~1M import-time objects: keeps each gc.collect() between repeats short
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(
        f"python {platform.python_version()}, torch {torch.__version__}, keras {keras.__version__} "
        f"({keras.backend.backend()} backend), CPUs {os.cpu_count()} (usable {affinity}), torch threads 1"
    )
    print()
    started = time.perf_counter()
    ratios = build_figures()
    forward = forward_figures()

    builds = ", ".join(f"{m} {verdict(r <= BUILD_GOAL)} ({r:.3f}x)" for m, r in ratios.items())
    print(f"goals: torch build <= {BUILD_GOAL}x keras (steady state): {builds}")
    print(
        f"       generated forward <= {FORWARD_GOAL}x hand-written: {verdict(forward <= FORWARD_GOAL)} ({forward:.3f}x)"
    )
    print(f"(measured in {time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
