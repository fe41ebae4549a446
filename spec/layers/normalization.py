"""Normalization layers: BatchNormalization, LayerNormalization."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import Field

from ..base import Int, unsupported
from ..initializers import Initializer, default_initializer
from ..regularizers import Constraint, Regularizer
from .base import LayerConfig, Shape, ShapeError, WeightSpec, layer_kind, resolve_axis, show


def _axis_sizes(axes: list[int], shape: Shape, kind: str) -> list[int]:
    sizes = []
    for axis in axes:
        index = resolve_axis(axis, len(shape), f"{kind} axis")
        if index == 0:
            raise ShapeError(f"{kind} cannot normalise over the batch axis (axis {axis})")
        size = shape[index]
        if size is None:
            raise ShapeError(f"{kind} needs axis {axis} of {show(shape)} known to create its weights")
        sizes.append(size)
    return sizes


@layer_kind("BatchNormalization")
class BatchNormalizationConfig(LayerConfig):
    """(x - mean) / sqrt(var + epsilon) * gamma + beta, per feature along `axis`.

    Keras's momentum is the moving statistics' decay: moving = moving * momentum +
    batch * (1 - momentum). PyTorch's momentum is the opposite (1 - momentum)."""

    axis: Int = -1
    momentum: float = Field(0.99, ge=0, le=1)
    epsilon: float = Field(0.001, gt=0)
    center: bool = True
    scale: bool = True
    beta_initializer: Initializer = default_initializer("zeros")
    gamma_initializer: Initializer = default_initializer("ones")
    moving_mean_initializer: Initializer = default_initializer("zeros")
    moving_variance_initializer: Initializer = default_initializer("ones")
    beta_regularizer: Regularizer | None = None
    gamma_regularizer: Regularizer | None = None
    beta_constraint: Constraint | None = None
    gamma_constraint: Constraint | None = None
    synchronized: bool = False
    """Cross-replica statistics; on one device it is plain batch normalization."""
    renorm: Annotated[bool, unsupported("batch renormalization (renorm) is not supported", False)] = False
    renorm_clipping: Annotated[Any, unsupported("renorm_clipping needs renorm, which is not supported")] = None
    renorm_momentum: float = 0.99

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        shape = self.single(inputs)
        _axis_sizes([self.axis], shape, "BatchNormalization")
        return shape

    def build_weights(self, inputs: Sequence[Shape]) -> list[WeightSpec]:
        (features,) = _axis_sizes([self.axis], self.single(inputs), "BatchNormalization")
        shape = (features,)
        made = []
        if self.scale:
            made.append(
                WeightSpec("gamma", shape, self.gamma_initializer, True, self.gamma_regularizer, self.gamma_constraint)
            )
        if self.center:
            made.append(
                WeightSpec("beta", shape, self.beta_initializer, True, self.beta_regularizer, self.beta_constraint)
            )
        return [
            *made,
            WeightSpec("moving_mean", shape, self.moving_mean_initializer, trainable=False),
            WeightSpec("moving_variance", shape, self.moving_variance_initializer, trainable=False),
        ]


@layer_kind("LayerNormalization")
class LayerNormalizationConfig(LayerConfig):
    """Normalise each sample over `axis`, then scale by gamma and shift by beta.
    With rms_scaling (Keras 3), x / sqrt(var(x) + epsilon) * gamma: no centering, no beta."""

    axis: Int | list[Int] = -1
    epsilon: float = Field(0.001, gt=0)
    center: bool = True
    scale: bool = True
    rms_scaling: bool = False
    beta_initializer: Initializer = default_initializer("zeros")
    gamma_initializer: Initializer = default_initializer("ones")
    beta_regularizer: Regularizer | None = None
    gamma_regularizer: Regularizer | None = None
    beta_constraint: Constraint | None = None
    gamma_constraint: Constraint | None = None

    @property
    def axes(self) -> list[int]:
        return self.axis if isinstance(self.axis, list) else [self.axis]

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        shape = self.single(inputs)
        _axis_sizes(self.axes, shape, "LayerNormalization")
        return shape

    def weight_shape(self, shape: Shape) -> tuple[int, ...]:
        """gamma's and beta's shape: the normalised axes' sizes, the axes sorted as
        written (negatives first), as Keras's build() takes them."""
        rank = len(shape)
        return tuple(shape[resolve_axis(a, rank)] for a in sorted(self.axes))  # type: ignore[misc]

    def build_weights(self, inputs: Sequence[Shape]) -> list[WeightSpec]:
        shape = self.single(inputs)
        _axis_sizes(self.axes, shape, "LayerNormalization")
        size = self.weight_shape(shape)
        made = []
        if self.scale or self.rms_scaling:
            made.append(
                WeightSpec("gamma", size, self.gamma_initializer, True, self.gamma_regularizer, self.gamma_constraint)
            )
        if self.center and not self.rms_scaling:
            made.append(
                WeightSpec("beta", size, self.beta_initializer, True, self.beta_regularizer, self.beta_constraint)
            )
        return made
