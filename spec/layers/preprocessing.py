"""In-model preprocessing layers: Rescaling and Normalization, with Keras 3's fields,
defaults, shape rules and weights.

Their constants (a scale, an offset, a mean and variance given in the config) are
numbers or nested lists of numbers that broadcast against the input as NumPy
broadcasts: aligned on the right, so a flat list runs along the last axis."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import BeforeValidator, Strict, field_validator, model_validator
from typing_extensions import TypeAliasType

from ..base import Int
from ..initializers import Ones, Zeros
from .base import LayerConfig, Shape, ShapeError, WeightSpec, layer_kind, resolve_axis, show

EPSILON = 1e-7
"""keras.config.epsilon(): Normalization's floor on the standard deviation."""


def _unwrap_numpy(value: Any) -> Any:
    """Keras 3 writes a NumPy array argument as {class_name: '__numpy__', config: {value, dtype}}."""
    if isinstance(value, dict) and value.get("class_name") == "__numpy__" and isinstance(value.get("config"), dict):
        return value["config"].get("value")
    return value


def _rectangular(value: Any) -> Any:
    array_shape(value)
    if any(not math.isfinite(v) for v in flat_values(value) if isinstance(v, float)):
        raise ValueError("the numbers must be finite (no inf or nan)")
    return value


Numbers = TypeAliasType("Numbers", "Annotated[float, Strict()] | list[Numbers]")
"""A number or a nested list of numbers (an array)."""

Array = Annotated[Numbers, BeforeValidator(_rectangular), BeforeValidator(_unwrap_numpy)]
"""An array constant of a config: a number, a nested list with one length per level, or
Keras 3's wrapped NumPy array."""


def array_shape(value: Any) -> tuple[int, ...]:
    """The shape of a number (()) or of a nested list; a ragged list is an error."""
    if not isinstance(value, list):
        return ()
    inner = {array_shape(v) for v in value}
    if len(inner) > 1:
        raise ValueError("a nested list of numbers needs the same length at every level (a ragged array)")
    return (len(value), *(inner.pop() if inner else ()))


def flat_values(value: Any) -> list[Any]:
    """The numbers of an array constant in C order."""
    if isinstance(value, list):
        return [x for item in value for x in flat_values(item)]
    return [value]


def check_broadcast(constant: tuple[int, ...], shape: Shape, what: str) -> None:
    """A constant of shape `constant` must broadcast against an input of `shape` (aligned
    on the right) without changing the input's shape."""
    if len(constant) > len(shape):
        raise ShapeError(f"{what} of shape {constant} has more axes than the input {show(shape)}")
    for size, dim in zip(constant, shape[len(shape) - len(constant) :], strict=True):
        if size == 1:
            continue
        if dim is None:
            raise ShapeError(f"{what} of shape {constant} needs the axes it spans known, got input {show(shape)}")
        if size != dim:
            raise ShapeError(f"{what} of shape {constant} does not broadcast to the input {show(shape)}")


@layer_kind("Rescaling")
class RescalingConfig(LayerConfig):
    """x * scale + offset, in training and inference alike. Either may be an array that
    broadcasts against the input (a list: one value per channel of the last axis).

    Keras reshapes an array scale for channels-first inputs only when the global
    `image_data_format` is channels_first; nnspec reads specs with Keras's default,
    channels_last."""

    scale: Array
    offset: Array = 0.0

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        shape = self.single(inputs)
        check_broadcast(array_shape(self.scale), shape, "Rescaling scale")
        check_broadcast(array_shape(self.offset), shape, "Rescaling offset")
        return shape


def _standard_axis(value: Any) -> Any:
    """Keras 3 writes the axis as a list ([-1], [] for None): one axis is the int, none is None."""
    if isinstance(value, list | tuple) and len(value) <= 1:
        return value[0] if value else None
    return value


@layer_kind("Normalization")
class NormalizationConfig(LayerConfig):
    """(x - mean) / max(sqrt(variance), 1e-7) with a mean and variance per index of the
    kept `axis` (None: one for the whole input); with `invert`, mean + x * max(...).

    Without `mean` and `variance` in the config the statistics are weights, set by
    Keras's adapt() (mean, variance and the int64 sample count, all non-trainable);
    given in the config they are constants and the layer holds no weights."""

    axis: Annotated[Int | list[Int] | None, BeforeValidator(_standard_axis)] = -1
    mean: Array | None = None
    variance: Array | None = None
    invert: bool = False

    @field_validator("axis")
    @classmethod
    def _distinct(cls, value: int | list[int] | None) -> int | list[int] | None:
        if isinstance(value, list) and len(set(value)) != len(value):
            raise ValueError(f"axis names an axis twice: {value}")
        return value

    @model_validator(mode="after")
    def _statistics(self) -> NormalizationConfig:
        if (self.mean is None) != (self.variance is None):
            raise ValueError("mean and variance are given together or not at all (Keras refuses one alone)")
        if self.mean is not None:
            shape = array_shape(self.mean)
            if shape != array_shape(self.variance):
                raise ValueError(f"mean of shape {shape} and variance of shape {array_shape(self.variance)} differ")
            if len(shape) > len(self.axes):
                raise ValueError(f"mean of rank {len(shape)} has more axes than axis {self.axis} keeps")
        return self

    @property
    def axes(self) -> tuple[int, ...]:
        if self.axis is None:
            return ()
        return (self.axis,) if isinstance(self.axis, int) else tuple(self.axis)

    def kept(self, shape: Shape) -> tuple[int, ...]:
        """The kept axes as non-negative indices, sorted (Keras's `_keep_axis`)."""
        kept = tuple(sorted(resolve_axis(a, len(shape), "Normalization axis") for a in self.axes))
        if len(set(kept)) != len(kept):
            raise ShapeError(f"Normalization axis {self.axis} names one axis of {show(shape)} twice")
        for axis in kept:
            if shape[axis] is None:
                raise ShapeError(
                    f"Normalization needs axis {axis} of {show(shape)} known: it keeps statistics per index"
                )
        return kept

    def broadcast_shape(self, shape: Shape) -> tuple[int, ...]:
        """The statistics' shape against the input: the kept axes' sizes, 1 elsewhere."""
        kept = self.kept(shape)
        return tuple(shape[a] if a in kept else 1 for a in range(len(shape)))  # type: ignore[misc]

    def constant_shape(self, shape: Shape) -> tuple[int, ...]:
        """A config-given mean's shape against the input: its axes laid on the kept axes
        from the right (as Keras's build() does), 1 elsewhere."""
        kept = self.kept(shape)
        given = array_shape(self.mean)
        out = [1] * len(shape)
        for size, axis in zip(reversed(given), reversed(kept), strict=False):
            out[axis] = size
        return tuple(out)

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        shape = self.single(inputs)
        kept = self.kept(shape)
        if self.mean is not None:
            for size, axis in zip(reversed(array_shape(self.mean)), reversed(kept), strict=False):
                if size not in (1, shape[axis]):
                    raise ShapeError(
                        f"Normalization mean of shape {array_shape(self.mean)} does not broadcast to the kept "
                        f"axes {kept} of {show(shape)}"
                    )
        return shape

    def build_weights(self, inputs: Sequence[Shape]) -> list[WeightSpec]:
        if self.mean is not None:
            return []  # constants, not weights
        shape = self.single(inputs)
        size = tuple(shape[a] for a in self.kept(shape))
        return [
            WeightSpec("mean", size, Zeros(class_name="Zeros"), trainable=False),
            WeightSpec("variance", size, Ones(class_name="Ones"), trainable=False),
            WeightSpec("count", (), Zeros(class_name="Zeros"), trainable=False),
        ]
