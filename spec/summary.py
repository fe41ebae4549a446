"""The numbers of Keras's `model.summary()`, computed from the graph alone."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from .gcpause import gc_paused
from .graph import Graph, LayerInfo
from .layers.base import Shape, show

DTYPE_BYTES = {"float16": 2, "bfloat16": 2, "mixed_float16": 4, "mixed_bfloat16": 4, "float64": 8}


@dataclass(frozen=True)
class SummaryRow:
    name: str
    class_name: str
    output_shape: str
    params: int
    trainable_params: int
    non_trainable_params: int
    connected_to: list[str]


@dataclass(frozen=True)
class Summary:
    name: str
    class_name: str
    rows: list[SummaryRow]
    total_params: int
    trainable_params: int
    non_trainable_params: int
    weight_bytes: int
    trainable_bytes: int
    input_shapes: list[list[int | None]]
    output_shapes: list[list[int | None]]

    @property
    def functional(self) -> bool:
        return self.class_name == "Functional"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@gc_paused()  # a row per layer, no garbage: see gc_paused
def summarize(graph: Graph) -> Summary:
    shown = [info for info in graph.layers if graph.kind == "Functional" or info.kind != "InputLayer"]
    rows = [_row(info, graph.kind == "Functional") for info in shown]
    params = graph.params
    trainable_bytes = sum(_bytes(info, trainable=True) for info in graph.layers)
    weight_bytes = sum(_bytes(info, trainable=None) for info in graph.layers)
    return Summary(
        name=graph.name,
        class_name=graph.kind,
        rows=rows,
        total_params=params.total,
        trainable_params=params.trainable,
        non_trainable_params=params.non_trainable,
        weight_bytes=weight_bytes,
        trainable_bytes=trainable_bytes,
        input_shapes=[list(s) for s in graph.input_shapes],
        output_shapes=[list(s) for s in graph.output_shapes],
    )


def _row(info: LayerInfo, functional: bool) -> SummaryRow:
    params = info.params
    connected = []
    if functional:
        for call in info.calls:
            connected += [f"{name}[{node}][{tensor}]" for name, node, tensor in call.inputs]
    return SummaryRow(
        name=info.name,
        class_name=info.kind,
        output_shape=shapes_text(info.output_shapes),
        params=params.total,
        trainable_params=params.trainable,
        non_trainable_params=params.non_trainable,
        connected_to=connected,
    )


def shapes_text(shapes: tuple[Shape, ...]) -> str:
    """Output shapes as Keras's summary shows them (the plot's boxes show the same)."""
    if len(shapes) == 1:
        return show(shapes[0])
    return "[" + ", ".join(show(s) for s in shapes) + "]"


def _bytes(info: LayerInfo, trainable: bool | None) -> int:
    if info.inner is not None:
        return sum(_bytes(inner, trainable) for inner in info.inner.layers)
    dtype = getattr(info.entry.config, "dtype", "float32")
    count = info.params.total if trainable is None else info.params.trainable
    return count * DTYPE_BYTES.get(dtype, 4)


def readable_size(size: float) -> str:
    """Keras's memory figure: 7496 -> '7.32 KB'."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} PB"
