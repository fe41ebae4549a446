"""Regularisation layers: SpatialDropout1D/2D/3D, GaussianNoise, GaussianDropout,
ActivityRegularization and Identity, with Keras 3's fields and defaults. None holds
weights; all but ActivityRegularization are the identity in inference."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, model_validator

from ..base import SeedInt, unsupported
from ..regularizers import Regularizer
from .base import LayerConfig, Shape, ShapeError, layer_kind, show


class _SpatialDropout(LayerConfig):
    """Dropout of whole channels: in training, one keep/drop draw per sample and channel,
    shared along the spatial axes; the identity in inference.

    Keras 3's constructor takes rate, seed, name, dtype (and data_format for 2D and 3D).
    tf.keras 2 also wrote `noise_shape`, which its SpatialDropout layers never read, and
    `trainable`, which a layer without weights has no use for: both are dropped."""

    rank: ClassVar[int]
    axes: ClassVar[str]
    rate: float = Field(ge=0, lt=1)
    seed: SeedInt | None = None
    activity_regularizer: Annotated[
        Regularizer | None, unsupported("Keras 3's SpatialDropout layers take no activity_regularizer")
    ] = None

    @model_validator(mode="before")
    @classmethod
    def _no_trainable(cls, data: Any) -> Any:
        """Freezing a layer without weights changes nothing, and Keras 3's constructor
        refuses the argument: read it, keep nothing."""
        if isinstance(data, dict) and "trainable" in data:
            data = {k: v for k, v in data.items() if k != "trainable"}
        return data

    @classmethod
    def from_keras2(cls, config: dict[str, Any]) -> None:
        config.pop("noise_shape", None)  # tf.keras's SpatialDropout overrides the noise shape: never read

    @property
    def channels_axis(self) -> int:
        return -1 if getattr(self, "data_format", None) in (None, "channels_last") else 1

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        shape = self.single(inputs)
        if len(shape) != self.rank + 2:
            raise ShapeError(f"{self.kind} takes a {self.rank + 2}-D input ({self.axes}), got {show(shape)}")
        return shape


@layer_kind("SpatialDropout1D")
class SpatialDropout1DConfig(_SpatialDropout):
    """Drops whole channels of a (batch, steps, channels) input in training."""

    rank: ClassVar[int] = 1
    axes: ClassVar[str] = "batch, steps, channels"


@layer_kind("SpatialDropout2D")
class SpatialDropout2DConfig(_SpatialDropout):
    """Drops whole channels of an image in training."""

    rank: ClassVar[int] = 2
    axes: ClassVar[str] = "batch, rows, cols, channels; or channels first"
    data_format: Literal["channels_last", "channels_first"] | None = None
    """None means Keras's image_data_format(), channels_last unless configured otherwise."""


@layer_kind("SpatialDropout3D")
class SpatialDropout3DConfig(_SpatialDropout):
    """Drops whole channels of a volume in training."""

    rank: ClassVar[int] = 3
    axes: ClassVar[str] = "batch, three spatial axes, channels; or channels first"
    data_format: Literal["channels_last", "channels_first"] | None = None
    """None means Keras's image_data_format(), channels_last unless configured otherwise."""


@layer_kind("GaussianNoise")
class GaussianNoiseConfig(LayerConfig):
    """x + N(0, stddev) noise in training; the identity in inference."""

    stddev: float = Field(ge=0, le=1)
    """Keras refuses a stddev above 1."""
    seed: SeedInt | None = None


@layer_kind("GaussianDropout")
class GaussianDropoutConfig(LayerConfig):
    """x * N(1, sqrt(rate / (1 - rate))) noise in training; the identity in inference.
    A rate of 1 divides by zero in Keras's training call, so it is refused here."""

    rate: float = Field(ge=0, lt=1)
    seed: SeedInt | None = None


@layer_kind("ActivityRegularization")
class ActivityRegularizationConfig(LayerConfig):
    """The identity, adding (l1 * sum|x| + l2 * sum x^2) / batch size to the model's
    losses at each call: the layer is an L1L2 activity regularizer of its own."""

    l1: float = Field(0.0, ge=0)
    l2: float = Field(0.0, ge=0)
    activity_regularizer: Annotated[
        Regularizer | None,
        unsupported("ActivityRegularization is its own activity regularizer (set l1 and l2); Keras refuses another"),
    ] = None


@layer_kind("Identity")
class IdentityConfig(LayerConfig):
    """Returns its input: a placeholder."""
