"""A progress bar for training in either framework: one bar, per-epoch logs below it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


@dataclass
class TrainingProgress:
    bar: Any
    task: Any
    epochs: int
    label: str
    quiet: bool = False

    def on_batch(self, step: int) -> None:
        self.bar.update(self.task, completed=step)

    def on_epoch(self, epoch: int, logs: dict[str, float]) -> None:
        shown = "  ".join(f"{k} {v:.4f}" for k, v in ordered(logs).items() if k != "learning_rate")
        self.bar.update(self.task, description=f"{self.label} epoch {epoch + 1}/{self.epochs}")
        if not self.quiet and (epoch + 1 == self.epochs or (epoch + 1) % max(1, self.epochs // 10) == 0):
            # one line whatever the width: in a pipe rich's 80 columns cut it before val_accuracy's figure
            self.bar.console.print(f"  {self.label} epoch {epoch + 1:>4}: {shown}", soft_wrap=True)


def ordered(logs: dict[str, float]) -> dict[str, float]:
    """Loss first, then the metrics, then their validation twins: both frameworks alike."""
    return dict(sorted(logs.items(), key=lambda item: (item[0].startswith("val_"), "loss" not in item[0], item[0])))


@contextmanager
def training_progress(label: str, epochs: int, steps_per_epoch: int, quiet: bool = False) -> Iterator[TrainingProgress]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=True
    ) as bar:
        task = bar.add_task(f"{label} epoch 1/{epochs}", total=epochs * steps_per_epoch)
        yield TrainingProgress(bar, task, epochs, label, quiet)
