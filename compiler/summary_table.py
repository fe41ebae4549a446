"""Render a Summary as Keras 3 prints it: a rich table, then the three totals."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table

from nnspec.spec.summary import Summary, readable_size


def print_summary(summary: Summary, console: Console | None = None) -> None:
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
    if summary.torch_params != summary.total_params or summary.torch_buffers:
        console.print(
            f" PyTorch: {summary.torch_params:,} parameters + {summary.torch_buffers:,} buffer values"
            " (Keras counts moving statistics as non-trainable params; torch keeps them as buffers)"
        )
