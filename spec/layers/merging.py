"""Merge layers: Concatenate and the element-wise Add, Subtract, Multiply, Average,
Maximum, Minimum. Each is called on a list of tensors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from ..base import Int
from .base import LayerConfig, Shape, ShapeError, layer_kind, resolve_axis


class ElementwiseMerge(LayerConfig):
    """Element-wise merges broadcast like NumPy over the non-batch axes."""

    merges: ClassVar[bool] = True
    exact_inputs: ClassVar[int | None] = None

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        if self.exact_inputs is not None and len(inputs) != self.exact_inputs:
            raise ShapeError(f"{self.kind} takes exactly {self.exact_inputs} inputs, got {len(inputs)}")
        if not inputs:
            raise ShapeError(f"{self.kind} needs at least one input")
        out = inputs[0]
        for shape in inputs[1:]:
            out = _broadcast(out, shape, self.kind)
        return out


def _broadcast(a: Shape, b: Shape, kind: str) -> Shape:
    if len(a) < len(b):
        a, b = b, a
    b = (b[0], *([1] * (len(a) - len(b))), *b[1:]) if len(b) > 1 else (b[0], *([1] * (len(a) - 1)))
    out: list[int | None] = []
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        if x == y or (y == 1 and i):
            out.append(x)
        elif x == 1 and i:
            out.append(y)
        elif x is None or y is None:
            out.append(x if y is None else y)
        else:
            raise ShapeError(f"{kind} needs inputs of the same shape (or shapes that broadcast)")
    return tuple(out)


@layer_kind("Add")
class AddConfig(ElementwiseMerge):
    pass


@layer_kind("Subtract")
class SubtractConfig(ElementwiseMerge):
    exact_inputs: ClassVar[int | None] = 2


@layer_kind("Multiply")
class MultiplyConfig(ElementwiseMerge):
    pass


@layer_kind("Average")
class AverageConfig(ElementwiseMerge):
    pass


@layer_kind("Maximum")
class MaximumConfig(ElementwiseMerge):
    pass


@layer_kind("Minimum")
class MinimumConfig(ElementwiseMerge):
    pass


@layer_kind("Concatenate")
class ConcatenateConfig(LayerConfig):
    """Join tensors along `axis`; every other axis must agree."""

    merges: ClassVar[bool] = True
    axis: Int = -1

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        if not inputs:
            raise ShapeError("Concatenate needs at least one input")
        rank = len(inputs[0])
        if any(len(s) != rank for s in inputs):
            raise ShapeError("Concatenate needs inputs of the same rank")
        axis = resolve_axis(self.axis, rank, "Concatenate axis")
        if axis == 0:
            raise ShapeError("Concatenate cannot join along the batch axis")
        out: list[int | None] = []
        for i in range(rank):
            dims = [s[i] for s in inputs]
            if i == axis:
                out.append(None if None in dims else sum(dims))  # type: ignore[arg-type]
                continue
            sizes = {d for d in dims if d is not None}
            if len(sizes) > 1:
                raise ShapeError(f"Concatenate on axis {self.axis} needs all other axes equal, but axis {i} differs")
            out.append(sizes.pop() if sizes else None)
        return tuple(out)
