"""Training curves and history, written next to a trained model.

The course judges overfitting from two panels per run: loss against val_loss, and
accuracy against val_accuracy, per epoch. Both files are written atomically (a
temporary file in the same folder, then os.replace), so an interrupted run never
leaves a half-written PNG or JSON behind.

Framework-free; matplotlib is imported inside `plot_history`. It draws on a bare
`Figure` with the Agg canvas rather than through pyplot: no backend is switched
(`matplotlib.use` would change it for the whole process, a notebook's included) and
no figure is left registered in pyplot's global list."""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO

History = Mapping[str, Sequence[float]]
_SKIPPED = {"lr", "learning_rate"}  # recorded by some callbacks, not a curve to judge fitting by


def plot_history(history: History, path: Path, title: str) -> Path:
    """Write a PNG of the loss and accuracy curves (with their val_ versions) per epoch; return its path."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    series = _numbers(history)
    losses = [key for key in _ordered(series) if "loss" in key]
    metrics = [key for key in _ordered(series) if "acc" in key and key not in losses]
    metric_title = "accuracy"
    if not metrics:  # a regressor: show what it did record (mae, ...) rather than an empty panel
        metrics = [key for key in _ordered(series) if key not in losses and key not in _SKIPPED]
        metric_title = "metrics"
    figure = Figure(figsize=(11, 4.5), layout="constrained")
    figure.suptitle(title)
    for axes, keys, name in zip(figure.subplots(1, 2), (losses, metrics), ("loss", metric_title), strict=True):
        axes.set_title(name)
        axes.set_xlabel("epoch")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        colours: dict[str, str] = {}
        for key in keys:
            base = key.removeprefix("val_")
            colour = colours.setdefault(base, f"C{len(colours)}")  # train and val of one metric share a colour
            values = series[key]
            style = "--" if key.startswith("val_") else "-"
            axes.plot(
                range(1, len(values) + 1),
                values,
                style,
                color=colour,
                marker="." if len(values) < 30 else None,
                label=key,
            )
        if keys:
            axes.legend()
            axes.grid(alpha=0.3)
        else:
            axes.text(0.5, 0.5, f"no {name} recorded", ha="center", va="center", transform=axes.transAxes)
    return _write_atomic(Path(path), "wb", lambda handle: figure.savefig(handle, format="png", dpi=100))


def save_history(history: History, path: Path) -> Path:
    """Write the history as JSON ({"loss": [...], ...}); a NaN or inf epoch becomes null (strict JSON has neither)."""
    lines = [
        f"  {json.dumps(key)}: {json.dumps([value if math.isfinite(value) else None for value in values])}"
        for key, values in _numbers(history).items()
    ]
    text = "{\n" + ",\n".join(lines) + "\n}\n"  # one line per series: short, and diffs read by epoch count
    return _write_atomic(Path(path), "w", lambda handle: handle.write(text))


def _numbers(history: History) -> dict[str, list[float]]:
    """Every series as plain floats (Keras gives floats, torch loops numpy or tensor scalars)."""
    out: dict[str, list[float]] = {}
    for key, values in history.items():
        try:
            out[str(key)] = [float(value) for value in values]
        except (TypeError, ValueError) as error:
            raise ValueError(f"history[{key!r}] must be a list of numbers: {error}") from error
    return out


def _ordered(series: Mapping[str, list[float]]) -> list[str]:
    """Each metric, then its val_ version: loss, val_loss, accuracy, val_accuracy."""
    bases = dict.fromkeys(key.removeprefix("val_") for key in series)
    return [key for base in bases for key in (base, f"val_{base}") if key in series]


def _write_atomic(path: Path, mode: str, write: Callable[[IO], object]) -> Path:
    """Write through a temporary file in the target's folder, then os.replace: readers see the old file or the new."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, mode, encoding=None if "b" in mode else "utf-8") as handle:
            write(handle)
        os.chmod(temporary, 0o644)  # mkstemp's file is private (0o600); the result is an ordinary file
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
