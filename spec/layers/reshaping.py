"""Reshaping layers: ZeroPadding1D/2D/3D, Cropping1D/2D/3D, UpSampling1D/2D/3D, Permute,
RepeatVector. None has weights. (Flatten and Reshape live in core.py.)

Amounts are kept as written (Keras accepts an int, one int per axis, or a (before, after)
pair per axis); `pairs()` and `factors()` give them per spatial axis, as Keras's
constructors standardise them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BeforeValidator, Field, field_validator

from ..base import Int
from .base import LayerConfig, Shape, ShapeError, layer_kind, show

NonNegative = Annotated[Int, Field(ge=0)]
Positive = Annotated[Int, Field(gt=0)]
Pair = tuple[NonNegative, NonNegative]
Side = NonNegative | Pair
"""One spatial axis: the same amount on both sides, or (before, after)."""
DataFormat = Literal["channels_last", "channels_first"] | None
"""None is Keras's image_data_format(), channels_last unless keras.json says otherwise."""

Interpolation = Literal["nearest", "bilinear", "bicubic", "lanczos3", "lanczos5", "area"]
"""What Keras 3's UpSampling2D accepts: 'nearest' repeats, the others go to ops.image.resize."""


def _amount(value: Any, minimum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def _side(value: Any) -> bool:
    return _amount(value, 0) or (
        isinstance(value, list | tuple) and len(value) == 2 and all(_amount(v, 0) for v in value)
    )


def amount_rule(axes: int, what: str) -> BeforeValidator:
    """A padding or cropping as Keras's constructor takes it, refused with one clear
    message (a union's errors would list every branch that failed)."""
    pairs = "a (before, after) pair" if axes == 1 else f"{axes} entries, each an int or a (before, after) pair"

    def check(value: Any) -> Any:
        if _amount(value, 0) or (axes == 1 and _side(value)):
            return value
        if axes > 1 and isinstance(value, list | tuple) and len(value) == axes and all(map(_side, value)):
            return value
        raise ValueError(f"{what} as an int >= 0 (every side alike) or {pairs} of ints >= 0")

    return BeforeValidator(check)


def size_rule(axes: int) -> BeforeValidator:
    """An upsampling size: an int > 0 for every axis, or one per spatial axis."""

    def check(value: Any) -> Any:
        if _amount(value, 1):
            return value
        if isinstance(value, list | tuple) and len(value) == axes and all(_amount(v, 1) for v in value):
            return value
        raise ValueError(f"a size as an int > 0 (every axis alike) or {axes} ints > 0, one per spatial axis")

    return BeforeValidator(check)


def _pair(side: Any) -> tuple[int, int]:
    return (side, side) if isinstance(side, int) else (side[0], side[1])


def standard_pairs(value: Any, axes: int) -> tuple[tuple[int, int], ...]:
    """Keras's standardised form: one (before, after) pair per spatial axis. A lone pair
    of a one-axis layer is (before, after); an int is the same on every side."""
    if isinstance(value, int):
        return ((value, value),) * axes
    if axes == 1:
        return (_pair(value),)
    return tuple(_pair(side) for side in value)


def standard_factors(value: Any, axes: int) -> tuple[int, ...]:
    return (value,) * axes if isinstance(value, int) else tuple(value)


class SpatialLayer(LayerConfig):
    """A layer over the spatial axes of a (batch, spatial..., channels) tensor, or of a
    (batch, channels, spatial...) one where its data_format says channels_first."""

    spatial: ClassVar[int]
    """How many spatial axes: the 1, 2 or 3 of its name."""

    @property
    def channels_first(self) -> bool:
        return getattr(self, "data_format", None) == "channels_first"

    @property
    def spatial_axes(self) -> tuple[int, ...]:
        """The Keras axes (batch = 0) the layer works on."""
        first = 2 if self.channels_first else 1
        return tuple(range(first, first + self.spatial))

    def checked(self, inputs: Sequence[Shape]) -> Shape:
        shape = self.single(inputs)
        if len(shape) != self.spatial + 2:
            raise ShapeError(f"{self.kind} needs an input of rank {self.spatial + 2}, got {show(shape)}")
        return shape


class _Padding(SpatialLayer):
    padding: Any

    def pairs(self) -> tuple[tuple[int, int], ...]:
        return standard_pairs(self.padding, self.spatial)

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        out = list(self.checked(inputs))
        for axis, (before, after) in zip(self.spatial_axes, self.pairs(), strict=True):
            size = out[axis]
            out[axis] = None if size is None else size + before + after
        return tuple(out)


@layer_kind("ZeroPadding1D")
class ZeroPadding1DConfig(_Padding):
    """Zeros before and after the steps of a (batch, steps, features) tensor."""

    spatial: ClassVar[int] = 1
    padding: Annotated[Side, amount_rule(1, "a padding")] = 1
    data_format: DataFormat = "channels_last"


@layer_kind("ZeroPadding2D")
class ZeroPadding2DConfig(_Padding):
    """Zero rows and columns around an image: `((top, bottom), (left, right))`."""

    spatial: ClassVar[int] = 2
    padding: Annotated[NonNegative | tuple[Side, Side], amount_rule(2, "a padding")] = (1, 1)
    data_format: DataFormat = "channels_last"


@layer_kind("ZeroPadding3D")
class ZeroPadding3DConfig(_Padding):
    spatial: ClassVar[int] = 3
    padding: Annotated[NonNegative | tuple[Side, Side, Side], amount_rule(3, "a padding")] = ((1, 1), (1, 1), (1, 1))
    data_format: DataFormat = "channels_last"


class _Cropping(SpatialLayer):
    cropping: Any

    def pairs(self) -> tuple[tuple[int, int], ...]:
        return standard_pairs(self.cropping, self.spatial)

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        shape = self.checked(inputs)
        out = list(shape)
        for axis, (before, after) in zip(self.spatial_axes, self.pairs(), strict=True):
            size = out[axis]
            if size is not None and before + after >= size:
                raise ShapeError(
                    f"{self.kind} crops {before} + {after} from axis {axis} of {show(shape)}: "
                    f"it must leave at least one of its {size} entries"
                )
            out[axis] = None if size is None else size - before - after
        return tuple(out)


@layer_kind("Cropping1D")
class Cropping1DConfig(_Cropping):
    """Cut steps off both ends of a (batch, steps, features) tensor (Keras gives it no data_format)."""

    spatial: ClassVar[int] = 1
    cropping: Annotated[Side, amount_rule(1, "a cropping")] = (1, 1)


@layer_kind("Cropping2D")
class Cropping2DConfig(_Cropping):
    """Cut rows and columns off an image: `((top, bottom), (left, right))`."""

    spatial: ClassVar[int] = 2
    cropping: Annotated[NonNegative | tuple[Side, Side], amount_rule(2, "a cropping")] = ((0, 0), (0, 0))
    data_format: DataFormat = "channels_last"


@layer_kind("Cropping3D")
class Cropping3DConfig(_Cropping):
    spatial: ClassVar[int] = 3
    cropping: Annotated[NonNegative | tuple[Side, Side, Side], amount_rule(3, "a cropping")] = ((1, 1), (1, 1), (1, 1))
    data_format: DataFormat = "channels_last"


class _UpSampling(SpatialLayer):
    size: Any

    def factors(self) -> tuple[int, ...]:
        return standard_factors(self.size, self.spatial)

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        out = list(self.checked(inputs))
        for axis, factor in zip(self.spatial_axes, self.factors(), strict=True):
            size = out[axis]
            out[axis] = None if size is None else size * factor
        return tuple(out)


@layer_kind("UpSampling1D")
class UpSampling1DConfig(_UpSampling):
    """Repeat each step `size` times (Keras gives it no data_format)."""

    spatial: ClassVar[int] = 1
    size: Positive = 2


@layer_kind("UpSampling2D")
class UpSampling2DConfig(_UpSampling):
    """Enlarge an image by whole factors: rows and columns repeated ('nearest') or
    resized by `keras.ops.image.resize` (the other interpolations)."""

    spatial: ClassVar[int] = 2
    size: Annotated[Positive | tuple[Positive, Positive], size_rule(2)] = (2, 2)
    data_format: DataFormat = "channels_last"
    interpolation: Interpolation = "nearest"


@layer_kind("UpSampling3D")
class UpSampling3DConfig(_UpSampling):
    """Repeat each entry of a volume `size` times along each spatial axis."""

    spatial: ClassVar[int] = 3
    size: Annotated[Positive | tuple[Positive, Positive, Positive], size_rule(3)] = (2, 2, 2)
    data_format: DataFormat = "channels_last"


@layer_kind("Permute")
class PermuteConfig(LayerConfig):
    """Reorder the axes after the batch: output axis i is input axis dims[i - 1] (1-based)."""

    dims: tuple[Int, ...] = Field(min_length=1)

    @field_validator("dims")
    @classmethod
    def _a_permutation(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if sorted(value) != list(range(1, len(value) + 1)):
            raise ValueError(f"each of the axes 1 to {len(value)} once, in any order (the batch axis 0 stays first)")
        return value

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        shape = self.single(inputs)
        if len(shape) != len(self.dims) + 1:
            raise ShapeError(
                f"Permute with dims {list(self.dims)} needs an input of rank {len(self.dims) + 1}, got {show(shape)}"
            )
        return (shape[0], *(shape[d] for d in self.dims))


@layer_kind("RepeatVector")
class RepeatVectorConfig(LayerConfig):
    """(batch, features) -> (batch, n, features): the vector repeated n times."""

    n: Positive

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        shape = self.single(inputs)
        if len(shape) != 2:
            raise ShapeError(f"RepeatVector needs an input of rank 2 (batch, features), got {show(shape)}")
        return (shape[0], self.n, shape[1])
