"""How a Keras weight becomes its torch tensor, and back: one object per weight.

A `Transfer` is a chain of permutes and reshapes from the Keras array to the torch
tensor (Dense: a transpose; Conv2D: `permute(3, 2, 0, 1)`; DepthwiseConv2D: a permute
then a reshape; Dense after a flattened feature map: its rows regrouped). The way back
is the same chain read backwards, each step undone, so the two directions cannot
disagree. The chain also says where a Keras axis ends up (for norm constraints and
orthogonal penalties) and renders itself as torch source (for initialisers that must
draw in Keras's shape)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

Shape = tuple[int, ...]


@dataclass(frozen=True)
class Permute:
    """Reorder the axes: output axis i is input axis `axes[i]`."""

    axes: tuple[int, ...]

    def shape(self, shape: Shape) -> Shape:
        return tuple(shape[a] for a in self.axes)

    def apply(self, array: np.ndarray) -> np.ndarray:
        return array.transpose(self.axes)

    def undo(self, before: Shape) -> Permute:
        return Permute(tuple(self.axes.index(i) for i in range(len(self.axes))))

    def axis_groups(self, groups: list[set[int]], before: Shape) -> list[set[int]] | None:
        return [{self.axes.index(a) for a in group} for group in groups]

    def source(self, text: str) -> str:
        if self.axes == (1, 0):
            return f"{text}.T"
        return f"{text}.permute{self.axes}"


@dataclass(frozen=True)
class Reshape:
    """The same values in another shape (C order)."""

    to: Shape

    def shape(self, shape: Shape) -> Shape:
        if math.prod(shape) != math.prod(self.to):
            raise ValueError(f"cannot reshape {shape} to {self.to}")
        return self.to

    def apply(self, array: np.ndarray) -> np.ndarray:
        return array.reshape(self.to)

    def undo(self, before: Shape) -> Reshape:
        return Reshape(before)

    def axis_groups(self, groups: list[set[int]], before: Shape) -> list[set[int]] | None:
        """A set of axes maps where it is made of whole runs of axes that the reshape
        merges or splits together: (H, W, C, out) -> (H*W*C, out) keeps `out` and turns
        {H, W, C} into the first axis."""
        runs = _runs(before, self.to)
        out = []
        for group in groups:
            mapped: set[int] = set()
            for ins, outs in runs:
                if ins & group and not ins <= group:
                    return None
                if ins <= group:
                    mapped |= outs
            out.append(mapped)
        return out

    def source(self, text: str) -> str:
        return f"{text}.reshape{self.to}"


@dataclass(frozen=True)
class Take:
    """Reorder equal blocks along `axis`: output block i is input block `order[i]` (GRU's
    gates z, r, h in Keras become r, z, n in torch)."""

    axis: int
    order: tuple[int, ...]

    def shape(self, shape: Shape) -> Shape:
        if shape[self.axis] != len(self.order):
            raise ValueError(f"cannot reorder {len(self.order)} blocks along an axis of {shape[self.axis]}")
        return shape

    def apply(self, array: np.ndarray) -> np.ndarray:
        return array.take(self.order, axis=self.axis)

    def undo(self, before: Shape) -> Take:
        return Take(self.axis, tuple(self.order.index(i) for i in range(len(self.order))))

    def axis_groups(self, groups: list[set[int]], before: Shape) -> list[set[int]] | None:
        return groups

    def source(self, text: str) -> str:
        return f"{text}[{':, ' * self.axis}{list(self.order)}]"


@dataclass(frozen=True)
class Spread:
    """One Keras weight held by `parts` torch tensors that are added together (Keras's
    single LSTM bias as torch's bias_ih + bias_hh): the value in the first, zeros in the
    rest, on a new leading axis. The way back is their sum."""

    parts: int

    def shape(self, shape: Shape) -> Shape:
        return (self.parts, *shape)

    def apply(self, array: np.ndarray) -> np.ndarray:
        import numpy as np

        return np.stack([array, *(np.zeros_like(array) for _ in range(self.parts - 1))])

    def undo(self, before: Shape) -> Sum:
        return Sum(self.parts)

    def axis_groups(self, groups: list[set[int]], before: Shape) -> list[set[int]] | None:
        return [{a + 1 for a in group} for group in groups]

    def source(self, text: str) -> str:
        raise ValueError("a weight spread over several torch tensors has no one-tensor form")


@dataclass(frozen=True)
class Sum:
    """The sum over the leading axis of `parts` tensors: the undoing of a Spread."""

    parts: int

    def shape(self, shape: Shape) -> Shape:
        if shape[0] != self.parts:
            raise ValueError(f"expected {self.parts} parts, got a leading axis of {shape[0]}")
        return shape[1:]

    def apply(self, array: np.ndarray) -> np.ndarray:
        return array.sum(axis=0)

    def undo(self, before: Shape) -> Spread:
        return Spread(self.parts)

    def axis_groups(self, groups: list[set[int]], before: Shape) -> list[set[int]] | None:
        if any(0 in group for group in groups):
            return None
        return [{a - 1 for a in group} for group in groups]

    def source(self, text: str) -> str:
        return f"{text}.sum(0)"


Step = Permute | Reshape | Take | Spread | Sum


def _runs(before: Shape, after: Shape) -> list[tuple[set[int], set[int]]]:
    """Pairs of (input axes, output axes) whose sizes multiply to the same number:
    the blocks a C-order reshape moves as wholes. Size-1 axes join their neighbours."""
    runs: list[tuple[set[int], set[int]]] = []
    i = j = 0
    while i < len(before) or j < len(after):
        ins, outs = {i} if i < len(before) else set(), {j} if j < len(after) else set()
        a = before[i] if i < len(before) else 1
        b = after[j] if j < len(after) else 1
        i, j = i + 1, j + 1
        while a != b:
            if a < b and i < len(before):
                a *= before[i]
                ins.add(i)
                i += 1
            elif j < len(after):
                b *= after[j]
                outs.add(j)
                j += 1
            else:
                break
        runs.append((ins, outs))
    return runs


@dataclass(frozen=True)
class Transfer:
    """A Keras weight of `keras_shape` as a torch tensor, through `steps`."""

    keras_shape: Shape
    steps: tuple[Step, ...] = ()

    @classmethod
    def same(cls, shape: Sequence[int]) -> Transfer:
        return cls(tuple(shape))

    @classmethod
    def transpose(cls, shape: Sequence[int]) -> Transfer:
        """A Dense kernel: (in, out) -> (out, in)."""
        return cls(tuple(shape), (Permute((1, 0)),))

    @classmethod
    def permute(cls, shape: Sequence[int], axes: Sequence[int]) -> Transfer:
        return cls(tuple(shape), (Permute(tuple(axes)),))

    def then(self, *steps: Step) -> Transfer:
        return Transfer(self.keras_shape, (*self.steps, *steps))

    def _shapes(self) -> list[Shape]:
        shapes = [self.keras_shape]
        for step in self.steps:
            shapes.append(step.shape(shapes[-1]))
        return shapes

    @property
    def torch_shape(self) -> Shape:
        return self._shapes()[-1]

    @property
    def is_identity(self) -> bool:
        return not self.steps

    def to_torch(self, array: np.ndarray) -> np.ndarray:
        import numpy as np

        for step in self.steps:
            array = step.apply(array)
        return np.ascontiguousarray(array).reshape(self.torch_shape)  # a 0-d weight stays 0-d

    def inverse(self) -> Transfer:
        """The way back, torch to Keras: every step undone, last first."""
        shapes = self._shapes()
        undone = tuple(step.undo(shapes[i]) for i, step in reversed(list(enumerate(self.steps))))
        return Transfer(self.torch_shape, undone)

    def to_keras(self, array: np.ndarray) -> np.ndarray:
        return self.inverse().to_torch(array)

    def torch_axes(self, keras_axes: Sequence[int]) -> tuple[int, ...] | None:
        """The torch axes that hold these Keras axes (as a whole), or None where the
        steps mix them with others."""
        shapes = self._shapes()
        groups: list[set[int]] | None = [{a for a in keras_axes}]
        for step, before in zip(self.steps, shapes, strict=False):
            groups = step.axis_groups(groups, before)
            if groups is None:
                return None
        return tuple(sorted(groups[0]))

    def source(self, text: str) -> str:
        """Torch source taking a Keras-shaped tensor `text` to the torch layout."""
        for step in self.steps:
            text = step.source(text)
        return text
