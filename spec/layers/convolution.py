"""Convolution layers: Conv1D/2D/3D, their transposes, DepthwiseConv1D/2D and
SeparableConv1D/2D, with Keras 3's fields, defaults, shape rules and weights."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BeforeValidator, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from ..base import Int, unsupported
from ..initializers import Initializer, default_initializer
from ..regularizers import Constraint, Regularizer
from .activations import ActivationSpec, activation_weights, check_activation_axis
from .base import LayerConfig, Shape, ShapeError, WeightSpec, layer_kind, show

Sizes = Int | list[Int]
"""One size for every spatial axis, or one per axis: Keras's `standardize_tuple`."""
DataFormat = Literal["channels_last", "channels_first"] | None
"""None means Keras's image_data_format(), channels_last unless configured otherwise."""


def tuple_of(value: int | list[int], rank: int, what: str, minimum: int = 1) -> tuple[int, ...]:
    """`value` as one size per spatial axis."""
    sizes = [value] * rank if isinstance(value, int) else list(value)
    if len(sizes) != rank:
        raise ValueError(f"{rank} {what} value{'s' * (rank > 1)}, one per spatial axis (or one for all)")
    if any(s < minimum for s in sizes):
        raise ValueError(f"{what} values of at least {minimum}")
    return tuple(sizes)


def conv_length(size: int | None, kernel: int, stride: int, dilation: int, padding: str) -> int | None:
    """A spatial size after a convolution or pooling, as Keras computes it."""
    if size is None:
        return None
    if padding == "valid":
        return (size - dilation * (kernel - 1) - 1) // stride + 1
    return (size - 1) // stride + 1  # same, causal


def same_padding(size: int, kernel: int, stride: int, dilation: int = 1) -> tuple[int, int]:
    """TensorFlow's 'same' padding of one axis: (before, after), the extra cell after."""
    effective = dilation * (kernel - 1) + 1
    total = max((math.ceil(size / stride) - 1) * stride + effective - size, 0)
    return total // 2, total - total // 2


class _Spatial(LayerConfig):
    """What every convolution shares: the spatial rank, sizes per axis, data format."""

    rank: ClassVar[int]
    kernel_size: Sizes
    strides: Sizes = 1
    padding: Literal["valid", "same"] = "valid"
    data_format: DataFormat = None
    dilation_rate: Sizes = 1
    activation: ActivationSpec = "linear"
    use_bias: bool = True
    bias_initializer: Initializer = default_initializer("zeros")
    bias_regularizer: Regularizer | None = None
    bias_constraint: Constraint | None = None

    @field_validator("kernel_size", "strides", "dilation_rate")
    @classmethod
    def _per_axis(cls, value: int | list[int], info: ValidationInfo) -> int | list[int]:
        tuple_of(value, cls.rank, str(info.field_name))
        return value

    @model_validator(mode="after")
    def _stride_or_dilation(self) -> _Spatial:
        if max(self.stride) > 1 and max(self.dilation) > 1:
            raise ValueError(
                f"strides > 1 cannot be combined with dilation_rate > 1 (Keras refuses it); "
                f"got strides={self.strides} and dilation_rate={self.dilation_rate}"
            )
        return self

    @property
    def kernel(self) -> tuple[int, ...]:
        return tuple_of(self.kernel_size, self.rank, "kernel_size")

    @property
    def stride(self) -> tuple[int, ...]:
        return tuple_of(self.strides, self.rank, "strides")

    @property
    def dilation(self) -> tuple[int, ...]:
        return tuple_of(self.dilation_rate, self.rank, "dilation_rate")

    @property
    def channels_last(self) -> bool:
        return self.data_format != "channels_first"

    @property
    def channel_axis(self) -> int:
        return self.rank + 1 if self.channels_last else 1

    def spatial_axes(self) -> tuple[int, ...]:
        first = 1 if self.channels_last else 2
        return tuple(range(first, first + self.rank))

    def channels(self, shape: Shape) -> int:
        if len(shape) != self.rank + 2:
            raise ShapeError(f"{self.kind} takes an input of rank {self.rank + 2}, got {show(shape)}")
        size = shape[self.channel_axis]
        if size is None:
            raise ShapeError(f"{self.kind} needs the input's channel axis known, got {show(shape)}")
        return size

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        shape = self.single(inputs)
        self.channels(shape)
        spatial = self.spatial_output(tuple(shape[a] for a in self.spatial_axes()), shape)
        out = (
            (shape[0], *spatial, self.out_channels(shape))
            if self.channels_last
            else (
                shape[0],
                self.out_channels(shape),
                *spatial,
            )
        )
        check_activation_axis(self.activation, out)
        return out

    def spatial_output(self, sizes: tuple[int | None, ...], shape: Shape) -> tuple[int | None, ...]:
        out = tuple(
            conv_length(n, k, s, d, self.padding)
            for n, k, s, d in zip(sizes, self.kernel, self.stride, self.dilation, strict=True)
        )
        if any(n is not None and n <= 0 for n in out):
            raise ShapeError(
                f"{self.kind} with kernel_size {self.kernel} and {self.padding!r} padding leaves no output "
                f"for an input of {show(shape)}"
            )
        return out

    def out_channels(self, shape: Shape) -> int:
        raise NotImplementedError

    def output_of(self, shape: Shape) -> Shape:
        return self.output_shape([shape])

    def _bias(self, size: int) -> list[WeightSpec]:
        if not self.use_bias:
            return []
        return [WeightSpec("bias", (size,), self.bias_initializer, True, self.bias_regularizer, self.bias_constraint)]


_LORA = unsupported("LoRA adapters are not supported")


class _Conv(_Spatial):
    """activation(conv(x, kernel) + bias): `filters` outputs, each reading all input
    channels of its group."""

    filters: Int = Field(gt=0)
    groups: Int = Field(1, gt=0)
    kernel_initializer: Initializer = default_initializer("glorot_uniform")
    kernel_regularizer: Regularizer | None = None
    kernel_constraint: Constraint | None = None
    lora_rank: Annotated[int | None, _LORA] = None
    lora_alpha: Annotated[float | None, _LORA] = None

    @model_validator(mode="after")
    def _groups(self) -> _Conv:
        if self.filters % self.groups:
            raise ValueError(f"filters ({self.filters}) must be divisible by groups ({self.groups})")
        return self

    def out_channels(self, shape: Shape) -> int:
        channels = self.channels(shape)
        if channels % self.groups:
            raise ShapeError(f"{self.kind}'s {channels} input channels are not divisible by groups={self.groups}")
        return self.filters

    def build_weights(self, inputs: Sequence[Shape]) -> list[WeightSpec]:
        shape = self.single(inputs)
        kernel = (*self.kernel, self.channels(shape) // self.groups, self.filters)
        made = [
            WeightSpec(
                "kernel", kernel, self.kernel_initializer, True, self.kernel_regularizer, self.kernel_constraint
            ),
            *self._bias(self.filters),
        ]
        return made + activation_weights(self.activation, self.output_of(shape))


@layer_kind("Conv1D", aliases=("Convolution1D",))
class Conv1DConfig(_Conv):
    """A 1-D convolution over (batch, steps, channels); 'causal' pads the start only."""

    rank: ClassVar[int] = 1
    padding: Literal["valid", "same", "causal"] = "valid"  # type: ignore[assignment]


@layer_kind("Conv2D", aliases=("Convolution2D",))
class Conv2DConfig(_Conv):
    rank: ClassVar[int] = 2


@layer_kind("Conv3D", aliases=("Convolution3D",))
class Conv3DConfig(_Conv):
    rank: ClassVar[int] = 3


class _ConvTranspose(_Spatial):
    """The transpose (gradient) of a convolution: each input cell spreads the kernel over
    a `strides`-spaced patch of the output; `output_padding` adds cells at the end."""

    filters: Int = Field(gt=0)
    output_padding: Sizes | None = None
    kernel_initializer: Initializer = default_initializer("glorot_uniform")
    kernel_regularizer: Regularizer | None = None
    kernel_constraint: Constraint | None = None

    @field_validator("output_padding")
    @classmethod
    def _per_axis_padding(cls, value: int | list[int] | None) -> int | list[int] | None:
        if value is not None:
            tuple_of(value, cls.rank, "output_padding", minimum=0)
        return value

    @model_validator(mode="after")
    def _output_padding(self) -> _ConvTranspose:
        extra = self.extra
        if extra is not None and any(e >= s for e, s in zip(extra, self.stride, strict=True)):
            raise ValueError(
                f"output_padding {self.output_padding} must be less than strides {self.strides} on every axis"
            )
        return self

    @property
    def extra(self) -> tuple[int, ...] | None:
        if self.output_padding is None:
            return None
        return tuple_of(self.output_padding, self.rank, "output_padding", minimum=0)

    @classmethod
    def from_keras2(cls, config: dict[str, Any]) -> None:
        if config.get("groups") == 1:  # tf.keras wrote its Conv base class's groups; transposes have none
            del config["groups"]

    def spatial_output(self, sizes: tuple[int | None, ...], shape: Shape) -> tuple[int | None, ...]:
        extra = self.extra or (None,) * self.rank
        return tuple(
            transpose_length(n, k, s, d, self.padding, e)
            for n, k, s, d, e in zip(sizes, self.kernel, self.stride, self.dilation, extra, strict=True)
        )

    def out_channels(self, shape: Shape) -> int:
        return self.filters

    def build_weights(self, inputs: Sequence[Shape]) -> list[WeightSpec]:
        shape = self.single(inputs)
        kernel = (*self.kernel, self.filters, self.channels(shape))
        made = [
            WeightSpec(
                "kernel", kernel, self.kernel_initializer, True, self.kernel_regularizer, self.kernel_constraint
            ),
            *self._bias(self.filters),
        ]
        return made + activation_weights(self.activation, self.output_of(shape))


def transpose_length(
    size: int | None, kernel: int, stride: int, dilation: int, padding: str, extra: int | None
) -> int | None:
    """A spatial size after a transposed convolution (Keras's
    `_get_output_shape_given_tf_padding`)."""
    if size is None:
        return None
    effective = (kernel - 1) * dilation + 1
    if padding == "valid":
        extra = max(effective, stride) - effective if extra is None else extra
        return (size - 1) * stride + effective + extra
    if extra is None:
        return size * stride
    return (size - 1) * stride + effective % 2 + extra


@layer_kind("Conv1DTranspose", aliases=("Convolution1DTranspose",))
class Conv1DTransposeConfig(_ConvTranspose):
    rank: ClassVar[int] = 1


@layer_kind("Conv2DTranspose", aliases=("Convolution2DTranspose", "Deconvolution2D"))
class Conv2DTransposeConfig(_ConvTranspose):
    rank: ClassVar[int] = 2


@layer_kind("Conv3DTranspose", aliases=("Convolution3DTranspose", "Deconvolution3D"))
class Conv3DTransposeConfig(_ConvTranspose):
    rank: ClassVar[int] = 3


class _Depthwise(_Spatial):
    """Each input channel convolved with its own `depth_multiplier` kernels."""

    depth_multiplier: Int = Field(1, gt=0)
    depthwise_initializer: Initializer = default_initializer("glorot_uniform")
    depthwise_regularizer: Regularizer | None = None
    depthwise_constraint: Constraint | None = None

    @classmethod
    def from_keras2(cls, config: dict[str, Any]) -> None:
        if config.get("groups") == 1:  # tf.keras wrote its Conv base class's groups
            del config["groups"]

    def out_channels(self, shape: Shape) -> int:
        return self.channels(shape) * self.depth_multiplier

    def depthwise_weight(self, channels: int) -> WeightSpec:
        return WeightSpec(
            "kernel",
            (*self.kernel, channels, self.depth_multiplier),
            self.depthwise_initializer,
            True,
            self.depthwise_regularizer,
            self.depthwise_constraint,
        )

    def build_weights(self, inputs: Sequence[Shape]) -> list[WeightSpec]:
        shape = self.single(inputs)
        channels = self.channels(shape)
        made = [self.depthwise_weight(channels), *self._bias(channels * self.depth_multiplier)]
        return made + activation_weights(self.activation, self.output_of(shape))


def _no_causal(value: Any) -> Any:
    if value == "causal":
        raise PydanticCustomError(
            "nnspec_unsupported",
            "{reason}; only {default} is supported, received {value}",
            {
                "reason": "Keras 3 has no 'causal' padding for depthwise and separable convolutions "
                "(tf.keras 2's SeparableConv1D had): pad the start with ZeroPadding1D((k - 1) * d, 0) "
                "and use 'valid'",
                "default": "'valid' or 'same'",
                "value": repr(value),
            },
        )
    return value


NotCausal = Annotated[Literal["valid", "same"], BeforeValidator(_no_causal)]


@layer_kind("DepthwiseConv1D")
class DepthwiseConv1DConfig(_Depthwise):
    rank: ClassVar[int] = 1
    padding: NotCausal = "valid"


@layer_kind("DepthwiseConv2D")
class DepthwiseConv2DConfig(_Depthwise):
    rank: ClassVar[int] = 2


class _Separable(_Depthwise):
    """A depthwise convolution, then a 1x1 convolution to `filters` outputs; one bias,
    after the second."""

    filters: Int = Field(gt=0)
    pointwise_initializer: Initializer = default_initializer("glorot_uniform")
    pointwise_regularizer: Regularizer | None = None
    pointwise_constraint: Constraint | None = None

    @classmethod
    def from_keras2(cls, config: dict[str, Any]) -> None:
        """tf.keras's SeparableConv also wrote its Conv base class's `groups` and
        `kernel_*` fields, which it never used (its weights are depthwise and pointwise)."""
        if config.get("groups") == 1:
            del config["groups"]
        for key in ("kernel_initializer", "kernel_regularizer", "kernel_constraint"):
            config.pop(key, None)

    def out_channels(self, shape: Shape) -> int:
        return self.filters

    def build_weights(self, inputs: Sequence[Shape]) -> list[WeightSpec]:
        shape = self.single(inputs)
        channels = self.channels(shape)
        depthwise = self.depthwise_weight(channels)
        depthwise = WeightSpec("depthwise_kernel", *_fields(depthwise))
        pointwise = WeightSpec(
            "pointwise_kernel",
            (*(1,) * self.rank, channels * self.depth_multiplier, self.filters),
            self.pointwise_initializer,
            True,
            self.pointwise_regularizer,
            self.pointwise_constraint,
        )
        made = [depthwise, pointwise, *self._bias(self.filters)]
        return made + activation_weights(self.activation, self.output_of(shape))


def _fields(weight: WeightSpec) -> tuple[Any, ...]:
    return weight.shape, weight.initializer, weight.trainable, weight.regularizer, weight.constraint


@layer_kind("SeparableConv1D", aliases=("SeparableConvolution1D",))
class SeparableConv1DConfig(_Separable):
    rank: ClassVar[int] = 1
    padding: NotCausal = "valid"


@layer_kind("SeparableConv2D", aliases=("SeparableConvolution2D",))
class SeparableConv2DConfig(_Separable):
    rank: ClassVar[int] = 2
