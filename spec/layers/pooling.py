"""Pooling layers: MaxPooling1D/2D/3D, AveragePooling1D/2D/3D and their global forms,
with Keras 3's fields, defaults and shape rules. None has weights."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Literal

from pydantic import Field, ValidationInfo, field_validator

from ..base import Int
from .base import LayerConfig, Shape, ShapeError, layer_kind, show

Sizes = Int | list[Int]
"""One size for every spatial axis, or one per axis: Keras's `standardize_tuple`."""
DataFormat = Literal["channels_last", "channels_first"] | None
"""None means Keras's image_data_format(), channels_last unless configured otherwise."""


_AXES = {1: "steps", 2: "height, width", 3: "depth, height, width"}


def per_axis(value: int | list[int], rank: int, what: str) -> tuple[int, ...]:
    """`value` as one positive size per spatial axis."""
    sizes = [value] * rank if isinstance(value, int) else list(value)
    if len(sizes) != rank:
        raise ValueError(f"{rank} {what} value{'s' * (rank > 1)}, one per spatial axis (or one for all)")
    if any(s < 1 for s in sizes):
        raise ValueError(f"{what} values of at least 1")
    return tuple(sizes)


def pooled_length(size: int | None, pool: int, stride: int, padding: str) -> int | None:
    """A spatial size after pooling (Keras's `compute_pooling_output_shape`)."""
    if size is None:
        return None
    if padding == "valid":
        return (size - pool) // stride + 1
    return (size - 1) // stride + 1


def same_padding(size: int, pool: int, stride: int) -> tuple[int, int]:
    """TensorFlow's 'same' padding of one axis: (before, after), the extra cell after."""
    total = max((-(-size // stride) - 1) * stride + pool - size, 0)
    return total // 2, total - total // 2


class _Spatial(LayerConfig):
    """What every pooling layer shares: its spatial rank and where the channels are."""

    rank: ClassVar[int]
    data_format: DataFormat = None

    @property
    def channels_last(self) -> bool:
        return self.data_format != "channels_first"

    def spatial_axes(self) -> tuple[int, ...]:
        """The Keras axes pooled over."""
        first = 1 if self.channels_last else 2
        return tuple(range(first, first + self.rank))

    def checked(self, inputs: Sequence[Shape]) -> Shape:
        shape = self.single(inputs)
        if len(shape) != self.rank + 2:
            spatial = _AXES[self.rank]
            axes = f"batch, {spatial}, channels" if self.channels_last else f"batch, channels, {spatial}"
            raise ShapeError(f"{self.kind} takes an input of rank {self.rank + 2} ({axes}), got {show(shape)}")
        return shape


class _Pooling(_Spatial):
    """The max or the mean of each `pool_size` window, the window moved by `strides`
    (None: by pool_size). 'same' padding is TensorFlow's: ceil(size / stride) outputs,
    the extra padding cell after; max pooling never picks a padding cell and average
    pooling averages over the cells inside the input only."""

    pool_size: Sizes
    strides: Sizes | None = None
    padding: Literal["valid", "same"] = "valid"

    @field_validator("pool_size", "strides")
    @classmethod
    def _per_axis(cls, value: int | list[int] | None, info: ValidationInfo) -> int | list[int] | None:
        if value is not None:
            per_axis(value, cls.rank, str(info.field_name))
        return value

    @property
    def pool(self) -> tuple[int, ...]:
        return per_axis(self.pool_size, self.rank, "pool_size")

    @property
    def stride(self) -> tuple[int, ...]:
        return self.pool if self.strides is None else per_axis(self.strides, self.rank, "strides")

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        shape = self.checked(inputs)
        axes = self.spatial_axes()
        out = list(shape)
        for axis, pool, stride in zip(axes, self.pool, self.stride, strict=True):
            size = pooled_length(shape[axis], pool, stride, self.padding)
            if size is not None and size <= 0:
                raise ShapeError(
                    f"{self.kind} with pool_size {self.pool} and 'valid' padding leaves no output for an input "
                    f"of {show(shape)}: each pooled axis needs at least pool_size cells (or padding='same')"
                )
            out[axis] = size
        return tuple(out)


class _AveragePooling(_Pooling):
    """Keras 3 requires average pooling's pool_size; tf.keras 2 defaulted it to 2 per
    axis, as both do for max pooling, so a tf.keras file that leaves it out means 2."""

    @classmethod
    def from_keras2(cls, config: dict[str, Any]) -> None:
        config.setdefault("pool_size", [2] * cls.rank)


@layer_kind("MaxPooling1D", aliases=("MaxPool1D",))
class MaxPooling1DConfig(_Pooling):
    rank: ClassVar[int] = 1
    pool_size: Sizes = 2


@layer_kind("MaxPooling2D", aliases=("MaxPool2D",))
class MaxPooling2DConfig(_Pooling):
    rank: ClassVar[int] = 2
    pool_size: Sizes = Field([2, 2])


@layer_kind("MaxPooling3D", aliases=("MaxPool3D",))
class MaxPooling3DConfig(_Pooling):
    rank: ClassVar[int] = 3
    pool_size: Sizes = Field([2, 2, 2])


@layer_kind("AveragePooling1D", aliases=("AvgPool1D",))
class AveragePooling1DConfig(_AveragePooling):
    rank: ClassVar[int] = 1


@layer_kind("AveragePooling2D", aliases=("AvgPool2D",))
class AveragePooling2DConfig(_AveragePooling):
    rank: ClassVar[int] = 2


@layer_kind("AveragePooling3D", aliases=("AvgPool3D",))
class AveragePooling3DConfig(_AveragePooling):
    rank: ClassVar[int] = 3


class _GlobalPooling(_Spatial):
    """The max or the mean over every spatial axis: (batch, channels), or with keepdims
    the input's rank with each spatial axis of size 1."""

    keepdims: bool = False

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        shape = self.checked(inputs)
        channels = shape[-1] if self.channels_last else shape[1]
        if not self.keepdims:
            return (shape[0], channels)
        return tuple(1 if axis in self.spatial_axes() else size for axis, size in enumerate(shape))


@layer_kind("GlobalMaxPooling1D", aliases=("GlobalMaxPool1D",))
class GlobalMaxPooling1DConfig(_GlobalPooling):
    rank: ClassVar[int] = 1


@layer_kind("GlobalMaxPooling2D", aliases=("GlobalMaxPool2D",))
class GlobalMaxPooling2DConfig(_GlobalPooling):
    rank: ClassVar[int] = 2


@layer_kind("GlobalMaxPooling3D", aliases=("GlobalMaxPool3D",))
class GlobalMaxPooling3DConfig(_GlobalPooling):
    rank: ClassVar[int] = 3


@layer_kind("GlobalAveragePooling1D", aliases=("GlobalAvgPool1D",))
class GlobalAveragePooling1DConfig(_GlobalPooling):
    rank: ClassVar[int] = 1


@layer_kind("GlobalAveragePooling2D", aliases=("GlobalAvgPool2D",))
class GlobalAveragePooling2DConfig(_GlobalPooling):
    rank: ClassVar[int] = 2


@layer_kind("GlobalAveragePooling3D", aliases=("GlobalAvgPool3D",))
class GlobalAveragePooling3DConfig(_GlobalPooling):
    rank: ClassVar[int] = 3
