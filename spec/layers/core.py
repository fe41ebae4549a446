"""Core layers: InputLayer, Dense, Activation, Dropout, Flatten, Reshape."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator

from ..base import Int, SeedInt, unsupported
from ..initializers import Initializer, default_initializer
from ..regularizers import Constraint, Regularizer
from .activations import ActivationSpec, activation_weights, check_activation_axis
from .base import LayerConfig, Shape, ShapeError, WeightSpec, known, layer_kind, product, show

Dim = Annotated[Int, Field(ge=0)] | None


@layer_kind("InputLayer")
class InputLayerConfig(LayerConfig):
    """A model input. `batch_shape` includes the batch axis: [null, 4]."""

    batch_shape: list[Dim] = Field(min_length=1)
    sparse: Annotated[bool, unsupported("sparse inputs are not supported", False)] = False
    ragged: Annotated[bool, unsupported("ragged inputs are not supported", False)] = False
    optional: Annotated[bool, unsupported("optional inputs are not supported", False)] = False

    @property
    def shape(self) -> Shape:
        return tuple(self.batch_shape)

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        return self.shape


@layer_kind("Dense")
class DenseConfig(LayerConfig):
    """activation(x @ kernel + bias) over the last axis."""

    units: Int = Field(gt=0)
    activation: ActivationSpec = "linear"
    use_bias: bool = True
    kernel_initializer: Initializer = default_initializer("glorot_uniform")
    bias_initializer: Initializer = default_initializer("zeros")
    kernel_regularizer: Regularizer | None = None
    bias_regularizer: Regularizer | None = None
    kernel_constraint: Constraint | None = None
    bias_constraint: Constraint | None = None
    lora_rank: Annotated[int | None, unsupported("LoRA adapters (lora_rank) are not supported")] = None
    lora_alpha: Annotated[float | None, unsupported("LoRA adapters (lora_alpha) are not supported")] = None
    quantization_config: Annotated[Any, unsupported("quantized layers are not supported")] = None

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        shape = self.single(inputs)
        if len(shape) < 2:
            raise ShapeError(f"Dense needs an input of rank 2 or more, got {show(shape)}")
        known(shape[-1], f"Dense input's last axis (input shape {show(shape)})")
        out = (*shape[:-1], self.units)
        check_activation_axis(self.activation, out)
        return out

    def build_weights(self, inputs: Sequence[Shape]) -> list[WeightSpec]:
        shape = self.single(inputs)
        fan_in = known(shape[-1], "Dense input's last axis")
        made = [
            WeightSpec(
                "kernel",
                (fan_in, self.units),
                self.kernel_initializer,
                True,
                self.kernel_regularizer,
                self.kernel_constraint,
            )
        ]
        if self.use_bias:
            made.append(
                WeightSpec(
                    "bias", (self.units,), self.bias_initializer, True, self.bias_regularizer, self.bias_constraint
                )
            )
        return made + activation_weights(self.activation, (*shape[:-1], self.units))


@layer_kind("Activation")
class ActivationConfig(LayerConfig):
    activation: ActivationSpec

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        shape = self.single(inputs)
        check_activation_axis(self.activation, shape)
        return shape

    def build_weights(self, inputs: Sequence[Shape]) -> list[WeightSpec]:
        return activation_weights(self.activation, self.single(inputs))


@layer_kind("Dropout")
class DropoutConfig(LayerConfig):
    """Zeroes a fraction `rate` of inputs in training, scaling the rest by 1/(1-rate)."""

    rate: float = Field(ge=0, lt=1)
    noise_shape: list[Dim] | None = None
    seed: SeedInt | None = None

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        shape = self.single(inputs)
        if self.noise_shape is not None:
            if len(self.noise_shape) != len(shape):
                raise ShapeError(f"Dropout noise_shape {self.noise_shape} must have rank {len(shape)} like its input")
            for mine, theirs in zip(self.noise_shape, shape, strict=True):
                if mine not in (None, 1) and theirs is not None and mine != theirs:
                    raise ShapeError(f"Dropout noise_shape {self.noise_shape} does not broadcast to {show(shape)}")
        return shape


@layer_kind("Flatten")
class FlattenConfig(LayerConfig):
    """(batch, ...) -> (batch, product of the rest)."""

    data_format: Literal["channels_last", "channels_first"] | None = "channels_last"

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        shape = self.single(inputs)
        return (shape[0], product(shape[1:]) if len(shape) > 1 else 1)


@layer_kind("Reshape")
class ReshapeConfig(LayerConfig):
    """Reshape everything but the batch axis to `target_shape` (one entry may be -1)."""

    target_shape: list[Int] = Field(min_length=1)

    @field_validator("target_shape")
    @classmethod
    def _one_unknown(cls, value: list[int]) -> list[int]:
        if value.count(-1) > 1 or any(d == 0 or d < -1 for d in value):
            raise ValueError("target_shape takes positive sizes and at most one -1")
        return value

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        shape = self.single(inputs)
        size = product(shape[1:])
        target = list(self.target_shape)
        if -1 in target:
            rest = -product(target)  # type: ignore[operator]
            if size is not None:
                if size % rest:
                    raise ShapeError(
                        f"cannot reshape {show(shape)} to {tuple(target)}: {size} is not divisible by {rest}"
                    )
                target[target.index(-1)] = size // rest
            else:
                target[target.index(-1)] = None  # type: ignore[call-overload]
        elif size is not None and size != product(target):
            raise ShapeError(
                f"cannot reshape {show(shape)} ({size} values) to {tuple(target)} ({product(target)} values)"
            )
        return (shape[0], *target)
