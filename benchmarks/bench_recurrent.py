"""Recurrent figures for the sequence-model issue, measured in one run: an LSTM and a GRU classifier (50 steps of
32 features -> 128 units -> Dense softmax over 10), given seeded random non-zero weights and saved as `.keras` files
in a temporary folder.

Forward, batch 32, torch.no_grad, eval mode, 2 torch threads, the contenders alternating block by block:
- the nnspec module (`nnspec convert MODEL.keras --to torch`, weights loaded from the `.pt` it wrote);
- a hand-written torch module (nn.LSTM / nn.GRU with batch_first, then nn.Linear), its weights moved from Keras by
  hand the way a PyTorch user would (transposed kernels, GRU's gates reordered, the bias in bias_ih);
- Keras 3 itself on its torch backend (a worker process with KERAS_BACKEND=torch, driven over a pipe).
Every contender's output on the seeded batch is checked against Keras's own (TensorFlow backend), so a wrong
module cannot look fast.

Run: python benchmarks/bench_recurrent.py
"""

from __future__ import annotations

import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import bench_convnets as common  # sets the TensorFlow backend for this process; the worker is its script
import keras
import numpy as np
import torch
from torch import nn

STEPS, FEATURES, UNITS, CLASSES = 50, 32, 128, 10
BLOCKS, CALLS = 12, 5
HAND = "hand-written"
GOALS = {HAND: 1.05, common.KERAS_TORCH: 0.5}
"""nnspec forward <= 1.05x the hand-written nn.LSTM module and <= 0.5x Keras on its torch backend."""


@dataclass(frozen=True)
class Recurrent:
    name: str
    keras_layer: Callable[[], keras.layers.Layer]
    torch_layer: type[nn.Module]
    gates: tuple[int, ...]
    """Keras's gate blocks in torch's order."""


CASES = (
    Recurrent("lstm", lambda: keras.layers.LSTM(UNITS), nn.LSTM, (0, 1, 2, 3)),
    Recurrent("gru", lambda: keras.layers.GRU(UNITS), nn.GRU, (1, 0, 2)),
)


class HandWritten(nn.Module):
    """What a PyTorch user writes for the Keras model: the recurrent layer, its last step, a Linear, softmax."""

    def __init__(self, layer: type[nn.Module]) -> None:
        super().__init__()
        self.rnn = layer(FEATURES, UNITS, batch_first=True)
        self.out = nn.Linear(UNITS, CLASSES)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.out(self.rnn(x)[0][:, -1]), dim=-1)


def hand_written(case: Recurrent, model: keras.Model) -> nn.Module:
    """The hand-written module holding the Keras model's weights, moved by hand."""
    kernel, recurrent, bias = (w.numpy() for w in model.layers[0].weights)
    dense_kernel, dense_bias = (w.numpy() for w in model.layers[1].weights)

    def gates(array: np.ndarray) -> np.ndarray:  # Keras's gate blocks (last axis) in torch's order
        blocks = np.split(array, len(case.gates), axis=-1)
        return np.concatenate([blocks[g] for g in case.gates], axis=-1)

    input_bias, recurrent_bias = (bias[0], bias[1]) if bias.ndim == 2 else (bias, np.zeros_like(bias))
    module = HandWritten(case.torch_layer)
    state = {
        "rnn.weight_ih_l0": gates(kernel).T,
        "rnn.weight_hh_l0": gates(recurrent).T,
        "rnn.bias_ih_l0": gates(input_bias),
        "rnn.bias_hh_l0": gates(recurrent_bias),
        "out.weight": dense_kernel.T,
        "out.bias": dense_bias,
    }
    module.load_state_dict({k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in state.items()})
    return module.eval()


def nnspec_module(keras_file: Path) -> nn.Module:
    """The converted module, as `nnspec convert MODEL.keras --to torch -o DIR` writes it, with its weights."""
    import nnspec

    files = common.nnspec_convert(keras_file, Path(tempfile.mkdtemp(dir=keras_file.parent)))
    module = nnspec.compile_torch(next(f for f in files if f.suffix == ".yaml"))
    module.load_state_dict(torch.load(next(f for f in files if f.suffix == ".pt"), weights_only=True))
    return module.eval()


def prepare(case: Recurrent, seed: int, root: Path) -> tuple[common.Prepared, keras.Model]:
    rng = np.random.default_rng(seed)
    model = keras.Sequential(
        [keras.Input((STEPS, FEATURES)), case.keras_layer(), keras.layers.Dense(CLASSES, activation="softmax")]
    )
    for variable in model.weights:
        scale = 0.1 if variable.name == "bias" else 1.0 / np.sqrt(variable.shape[0])
        variable.assign(rng.normal(0.0, scale, variable.shape).astype("float32"))
    folder = root / case.name
    folder.mkdir()
    keras_file = folder / f"{case.name}.keras"
    model.save(keras_file)
    x = rng.standard_normal((common.BATCH, STEPS, FEATURES)).astype("float32")
    reference = keras.ops.convert_to_numpy(model(x, training=False))
    label = f"{case.name.upper()} ({STEPS} steps x {FEATURES} features -> {UNITS} units -> {CLASSES})"
    plan = common.Case(case.name, label, lambda: model, BLOCKS, CALLS)
    return common.Prepared(plan, folder, keras_file, x, reference, model.to_json(), model.count_params()), model


def figures(case: Recurrent, prepared: common.Prepared, model: keras.Model) -> dict[str, float | None]:
    x_file = prepared.folder / "x.npy"
    np.save(x_file, prepared.x)
    worker = common.KerasTorchWorker(prepared, x_file, None)
    try:
        keras_torch = common.Contender(common.KERAS_TORCH, worker.run, np.load(worker.out_file))
        contenders = [
            common.local_contender(common.NNSPEC, lambda: nnspec_module(prepared.keras_file), prepared.x),
            common.local_contender(HAND, lambda: hand_written(case, model), prepared.x),
            keras_torch,
        ]
        times = common.time_blocks(contenders, BLOCKS, CALLS)
    finally:
        worker.close()
    print(
        f"{prepared.case.label}: {prepared.params:,} parameters; forward ms per batch of {common.BATCH}, no_grad, "
        f"eval, {common.THREADS} threads; {BLOCKS} alternating blocks x {CALLS} calls"
    )
    print(f"  {'contender':<14}{'median':>9}{'best':>9}{'vs hand-written':>17}{'vs keras/torch':>16}{'max |diff|':>12}")
    wrong = set()
    for contender in contenders:
        if contender.run is None or contender.output is None:
            print(f"  {contender.name:<14}not available ({contender.missing})")
            continue
        diff, relative = common.difference(contender.output, prepared.reference)
        if not relative <= common.OUTPUT_TOLERANCE:
            wrong.add(contender.name)
        ratios = (common.ratio_cell(common.paired_ratio(times, contender.name, base)) for base in GOALS)
        block = times[contender.name]
        print(
            f"  {contender.name:<14}{statistics.median(block) * 1e3:9.2f}{min(block) * 1e3:9.2f}"
            f"{next(ratios):>17}{next(ratios):>16}{diff:12.2e}{'  WRONG OUTPUT' if contender.name in wrong else ''}"
        )
    print()
    if common.NNSPEC in wrong:
        return dict.fromkeys(GOALS, float("inf"))
    return {base: None if base in wrong else common.paired_ratio(times, common.NNSPEC, base) for base in GOALS}


def main() -> None:
    torch.set_num_threads(common.THREADS)
    print(
        f"python {platform.python_version()}, torch {torch.__version__}, keras {keras.__version__}; "
        f"torch threads {common.THREADS}; {common.load_line()}"
    )
    print()
    started = time.perf_counter()
    results = {}
    with tempfile.TemporaryDirectory(prefix="nnspec-recurrent-") as tmp:
        for seed, case in enumerate(CASES):
            prepared, model = prepare(case, seed, Path(tmp))
            results[case.name] = figures(case, prepared, model)
    print("goals:")
    for base, goal in GOALS.items():
        cells = ", ".join(f"{name} {common.verdict(found[base], goal)}" for name, found in results.items())
        print(f"  forward <= {goal}x {base}: {cells}")
    print(f"(measured in {time.perf_counter() - started:.0f} s; {common.load_line()})")


if __name__ == "__main__":
    sys.exit(main())
