"""Merge layers: Concatenate, Dot and the element-wise Add, Subtract, Multiply, Average,
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


@layer_kind("Dot")
class DotConfig(LayerConfig):
    """The dot product of two tensors along one axis of each, sample by sample (Keras's
    merging/dot.py `batch_dot`); with `normalize`, each is first L2-normalised along its
    axis, which makes it the cosine similarity. A negative axis counts from each input's end."""

    merges: ClassVar[bool] = True
    axes: Int | tuple[Int, Int]
    normalize: bool = False

    def contracted(self, inputs: Sequence[Shape]) -> tuple[int, int]:
        """The axis summed over in each input, as non-negative indices."""
        pair = (self.axes, self.axes) if isinstance(self.axes, int) else self.axes
        out = tuple(resolve_axis(axis, len(shape), "Dot axis") for axis, shape in zip(pair, inputs, strict=True))
        if 0 in out:
            raise ShapeError("Dot cannot sum over the batch axis (axis 0)")
        return out  # type: ignore[return-value]

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        if len(inputs) != 2:
            raise ShapeError(f"Dot takes exactly 2 inputs, got {len(inputs)}")
        first, second = inputs
        if len(first) < 2 or len(second) < 2:
            raise ShapeError("Dot needs inputs with at least one axis besides the batch")
        a, b = self.contracted(inputs)
        if first[a] is not None and second[b] is not None and first[a] != second[b]:
            raise ShapeError(f"Dot sums axis {a} of size {first[a]} against axis {b} of size {second[b]}")
        out = (*first[:a], *first[a + 1 :], *(d for i, d in enumerate(second) if i not in (0, b)))
        return out if len(out) > 1 else (*out, 1)
