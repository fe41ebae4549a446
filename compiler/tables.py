"""The tables the command line prints: Keras's model summary, the layer-by-layer parity
report and the step-by-step training parity report (rich tables)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich import box
from rich.console import Console
from rich.table import Table

from ..spec.summary import Summary, readable_size

if TYPE_CHECKING:
    from .parity.check import ParityReport
    from .training.parity import TrainingReport


def print_summary(
    summary: Summary, torch_counts: tuple[int, int] | None = None, console: Console | None = None
) -> None:
    console = console or Console(width=max(100, Console().width))
    console.print(f'Model: "{summary.name}"')
    table = Table(box=box.HEAVY_HEAD, show_lines=True)
    table.add_column("Layer (type)", no_wrap=False)
    table.add_column("Output Shape")
    table.add_column("Param #", justify="right")
    if summary.functional:
        table.add_column("Connected to")
    for row in summary.rows:
        cells = [f"{row.name} ({row.class_name})", row.output_shape, f"{row.params:,}"]
        if summary.functional:
            cells.append(", ".join(row.connected_to) or "-")
        table.add_row(*cells)
    console.print(table)
    trainable_bytes = summary.trainable_bytes
    frozen_bytes = summary.weight_bytes - trainable_bytes
    console.print(f" Total params: {summary.total_params:,} ({readable_size(summary.weight_bytes)})")
    console.print(f" Trainable params: {summary.trainable_params:,} ({readable_size(trainable_bytes)})")
    console.print(f" Non-trainable params: {summary.non_trainable_params:,} ({readable_size(frozen_bytes)})")
    if torch_counts is not None and torch_counts != (summary.total_params, 0):
        params, buffers = torch_counts
        console.print(
            f" PyTorch: {params:,} parameters + {buffers:,} buffer values"
            " (Keras counts moving statistics as non-trainable params; torch keeps them as buffers)"
        )


def print_report(report: ParityReport, console: Console | None = None) -> None:
    console = console or Console(width=max(110, Console().width))
    mode = "training" if report.training else "inference"
    console.print(
        f'Parity of "{report.model}" (Keras vs PyTorch, {mode} mode, tolerance {report.tolerance:g}, relative above 1)'
    )
    table = Table(box=box.HEAVY_HEAD)
    for title, justify in [
        ("Layer (type)", "left"),
        ("Output Shape", "left"),
        ("Keras params", "right"),
        ("torch params", "right"),
        ("max abs diff", "right"),
        ("max rel diff", "right"),
        ("", "left"),
    ]:
        table.add_column(title, justify=justify)  # type: ignore[arg-type]
    for row in report.rows:
        name = row.layer + (f" [call {row.call}]" if row.call else "")
        table.add_row(
            f"{name} ({row.kind})",
            row.output_shape,
            f"{row.keras_params:,}",
            f"{row.torch_params:,}",
            f"{row.max_abs:.2e}",
            f"{row.max_rel:.2e}",
            "[green]ok[/green]" if row.ok else "[red]FAIL[/red]",
        )
    console.print(table)
    console.print(
        f" Params: Keras {report.keras_params:,}, spec {report.spec_params:,}; "
        f"torch {report.torch_params:,} + {report.torch_buffers:,} buffer values, spec {report.spec_torch_total:,}"
    )
    for direction, diff in report.directions.items():
        console.print(f" Weights {direction.replace('_', ' ')}: max output difference {diff:.2e}")
    for problem in report.problems:
        console.print(f" [red]problem:[/red] {problem}")
    verdict = "[green]PASS[/green]" if report.passed else "[red]FAIL[/red]"
    console.print(f" {verdict}: {sum(r.ok for r in report.rows)} of {len(report.rows)} layer calls within tolerance")


def print_training_report(report: TrainingReport, console: Console | None = None) -> None:
    console = console or Console(width=max(100, Console().width))
    console.print(
        f'Training parity of "{report.model}" ({report.optimizer}, {report.steps} steps, '
        f"same weights and batches, tolerance {report.tolerance:g} relative)"
    )
    table = Table(box=box.HEAVY_HEAD)
    for title in ("Step", "Keras loss", "torch loss", "rel diff", ""):
        table.add_column(title, justify="right" if title else "left")
    for row in report.rows:
        verdict = "[green]ok[/green]" if row.ok else "[red]FAIL[/red]"
        table.add_row(str(row.step), f"{row.keras_loss:.7f}", f"{row.torch_loss:.7f}", f"{row.relative:.2e}", verdict)
    console.print(table)
    console.print(f" {report.optimizer} in torch: {report.note}")
    verdict = "[green]PASS[/green]" if report.passed else "[red]FAIL[/red]"
    console.print(f" {verdict}: largest relative loss difference {report.worst:.2e}")
