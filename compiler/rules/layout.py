"""Layouts as data: how a value of the generated module holds the Keras tensor it
stands for.

The spec speaks Keras's layout (channels last). The generated PyTorch module computes
in torch's own (channels first) wherever a kind wants it, so every value carries a
`Layout`: a permutation of the Keras tensor's axes and, for a feature vector made by
flattening a feature map, the shape and axis order it was flattened in. A kind states
the layout it computes each input in; the lowering converts a value only where its
layout differs from that, and translates axis arguments through it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

from .expr import Expr, method


@dataclass(frozen=True)
class Flattened:
    """A feature vector flattened from a Keras tensor of `shape` (batch excluded) with
    its axes taken in `order`: torch's feature j is Keras's feature `indices()[j]`."""

    shape: tuple[int, ...]
    order: tuple[int, ...]

    @property
    def torch_shape(self) -> tuple[int, ...]:
        return tuple(self.shape[a] for a in self.order)

    @property
    def is_keras(self) -> bool:
        """Features in Keras's order: the axes longer than 1 are taken in order (a
        (1, 1, C) map flattens alike channels first or last)."""
        long = [axis for axis in self.order if self.shape[axis] != 1]
        return long == sorted(long)


@dataclass(frozen=True)
class Layout:
    """Torch axis i holds Keras axis `perm[i]`; the batch axis stays first."""

    perm: tuple[int, ...]
    flat: Flattened | None = None

    @classmethod
    def keras(cls, rank: int) -> Layout:
        """The Keras tensor as it is."""
        return cls(tuple(range(rank)))

    @classmethod
    def channels_first(cls, rank: int, channels: int = -1) -> Layout:
        """Batch, the Keras `channels` axis, then the other axes in order: torch's NC...
        for a channels-last tensor, Keras's own layout for a channels-first one."""
        channels %= rank
        return cls((0, channels, *(a for a in range(1, rank) if a != channels)))

    @property
    def rank(self) -> int:
        return len(self.perm)

    @property
    def is_keras(self) -> bool:
        return self.perm == tuple(range(self.rank)) and (self.flat is None or self.flat.is_keras)

    def dim(self, axis: int) -> int:
        """The torch dim holding Keras axis `axis` (negative axes count from the end)."""
        if self.flat is not None and axis % self.rank != 0:
            raise ValueError("a flattened feature vector's features are not in Keras's order")
        return self.perm.index(axis % self.rank)

    def shape(self, keras_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        """The torch tensor's shape for a Keras tensor of `keras_shape`."""
        return tuple(keras_shape[a] for a in self.perm)

    def unflattened(self) -> Layout:
        """Features in Keras's order again, for a layer that needs them so."""
        return self if self.flat is None else Layout.keras(self.rank)


def flatten_layout(arriving: Layout, keras_shape: tuple[int | None, ...]) -> Layout:
    """The layout of `torch.flatten(x, 1)` for a value of layout `arriving`: a feature
    vector in the order of the torch tensor's axes."""
    if arriving.flat is not None or arriving.rank <= 2:
        return arriving if arriving.rank == 2 else Layout.keras(2)
    order = tuple(a - 1 for a in arriving.perm[1:])
    sizes = keras_shape[1:]
    if None in sizes:  # features of unknown count: only a layout already in Keras's order flattens
        long = [axis for axis in order if sizes[axis] != 1]
        if long != sorted(long):
            raise ValueError("cannot flatten a feature map of unknown size out of Keras's order")
        return Layout.keras(2)
    flat = Flattened(tuple(int(d) for d in sizes), order)  # type: ignore[arg-type]
    return Layout.keras(2) if flat.is_keras else Layout((0, 1), flat)


def convert(value: Expr, have: Layout, want: Layout) -> Expr:
    """`value`, held in layout `have`, held in layout `want`."""
    if have == want:
        return value
    if have.flat is not None:
        value, have = _unflatten(value, have.flat), Layout.keras(2)
        if have == want:
            return value
    if want.flat is not None or have.rank != want.rank:
        raise ValueError(f"no conversion from {have} to {want}")
    axes = tuple(have.perm.index(a) for a in want.perm)
    permuted = method(value, "permute", *axes)
    # torch's layers compute a permuted view (channels-last strides) more slowly than the
    # same values laid out afresh: oneDNN reorders each convolution's weight on every call
    return permuted if want.is_keras else method(permuted, "contiguous")


def _unflatten(value: Expr, flat: Flattened) -> Expr:
    """A flattened feature vector back in Keras's feature order."""
    back = (0, *(flat.order.index(a) + 1 for a in range(len(flat.order))))
    grid = method(value, "unflatten", 1, flat.torch_shape)
    return method(method(grid, "permute", *back), "flatten", 1)


def same_rank_layouts(arriving: list[Layout | None]) -> list[Layout | None]:
    """Layouts for the inputs of an element-wise merge: the first known one for every
    input of its rank (flattened vectors only where all agree), Keras's elsewhere."""
    known = [layout for layout in arriving if layout is not None]
    if not known:
        return list(arriving)
    first = known[0]
    if first.flat is not None and any(layout != first for layout in known):
        first = first.unflattened()
    return [first if layout is not None and layout.rank == first.rank else _keras_of(layout) for layout in arriving]


def _keras_of(layout: Layout | None) -> Layout | None:
    return None if layout is None else Layout.keras(layout.rank)


def feature_count(flat: Flattened) -> int:
    return math.prod(flat.shape)


def keras_array(array: np.ndarray, layout: Layout) -> np.ndarray:
    """A torch value (as a NumPy array, batch first) in Keras's layout."""
    if layout.flat is not None:
        grid = array.reshape(array.shape[0], *layout.flat.torch_shape)
        back = (0, *(layout.flat.order.index(a) + 1 for a in range(len(layout.flat.order))))
        return grid.transpose(back).reshape(array.shape[0], -1)
    return array.transpose([layout.perm.index(a) for a in range(layout.rank)])


def torch_array(array: np.ndarray, layout: Layout) -> np.ndarray:
    """A Keras value (as a NumPy array, batch first) in `layout` (never a flattened one)."""
    if layout.flat is not None:
        raise ValueError("a model input is never a flattened feature vector")
    return array.transpose(layout.perm).copy()
