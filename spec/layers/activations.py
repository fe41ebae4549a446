"""Activation layers: ReLU, LeakyReLU, PReLU, ELU, Softmax, and the activation
field every layer with an `activation` argument shares."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Annotated, Any, Union

from pydantic import AfterValidator, BeforeValidator, Discriminator, Field, Tag, WithJsonSchema
from pydantic_core import PydanticCustomError

from ..activations import ACTIVATION_ALIASES, ACTIVATIONS, canonical_activation
from ..base import Int
from ..initializers import Initializer, default_initializer
from ..lazy import LazyUnion
from ..regularizers import Constraint, Regularizer
from .base import LayerConfig, LayerObject, Shape, ShapeError, WeightSpec, layer_kind, object_model, resolve_axis


@layer_kind("ReLU")
class ReLUConfig(LayerConfig):
    """max(x, 0) with an optional cap, leak below `threshold`, and threshold."""

    max_value: Annotated[float, Field(ge=0)] | None = None
    negative_slope: float = Field(0.0, ge=0)
    threshold: float = Field(0.0, ge=0)


@layer_kind("LeakyReLU")
class LeakyReLUConfig(LayerConfig):
    """x if x > 0 else negative_slope * x. Keras 2 called the slope `alpha`."""

    negative_slope: float = Field(0.3, ge=0)


@layer_kind("ELU")
class ELUConfig(LayerConfig):
    alpha: float = 1.0


@layer_kind("Softmax")
class SoftmaxConfig(LayerConfig):
    axis: Int | list[Int] = -1

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        shape = self.single(inputs)
        for axis in self.axis if isinstance(self.axis, list) else [self.axis]:
            resolve_axis(axis, len(shape), "Softmax axis")
        return shape


@layer_kind("PReLU")
class PReLUConfig(LayerConfig):
    """x if x > 0 else alpha * x, with a learned alpha per element, shared along
    `shared_axes` (1-based, batch excluded, as in Keras)."""

    alpha_initializer: Initializer = default_initializer("zeros")
    alpha_regularizer: Regularizer | None = None
    alpha_constraint: Constraint | None = None
    shared_axes: list[Int] | None = None

    def alpha_shape(self, shape: Shape) -> tuple[int, ...]:
        dims = list(shape[1:])
        for axis in self.shared_axes or []:
            if not 1 <= axis <= len(dims):
                raise ShapeError(f"PReLU shared_axes entry {axis} is out of range for input shape {shape}")
            dims[axis - 1] = 1
        if any(d is None for d in dims):
            raise ShapeError(f"PReLU needs every non-shared axis known, got {shape}; share the unknown axes")
        return tuple(dims)  # type: ignore[arg-type]

    def build_weights(self, inputs: Sequence[Shape]) -> list[WeightSpec]:
        shape = self.alpha_shape(self.single(inputs))
        return [WeightSpec("alpha", shape, self.alpha_initializer, True, self.alpha_regularizer, self.alpha_constraint)]


def _activation_name(value: str) -> str:
    name = canonical_activation(value)
    if name is None:
        raise PydanticCustomError(
            "nnspec_unknown_name",
            "unknown activation '{value}'",
            {"value": value, "choices": sorted(ACTIVATIONS) + sorted(ACTIVATION_ALIASES)},
        )
    return name


ActivationName = Annotated[
    str,
    AfterValidator(_activation_name),
    WithJsonSchema({"type": "string", "enum": sorted(ACTIVATIONS) + sorted(ACTIVATION_ALIASES)}),
]


class ActivationLayerObject(LayerObject):
    """An activation layer given as another layer's `activation` (Keras allows
    `Dense(50, activation=PReLU())`): {class_name, config}."""


_OBJECTS = tuple(
    object_model(ActivationLayerObject, c) for c in (ReLUConfig, LeakyReLUConfig, ELUConfig, SoftmaxConfig, PReLUConfig)
)
_OBJECT_UNION = Union[_OBJECTS]  # noqa: UP007
ActivationObject = Annotated[
    _OBJECT_UNION, LazyUnion(_OBJECTS, schema_type=Annotated[_OBJECT_UNION, Field(discriminator="class_name")])
]


def _activation_object(value: Any) -> Any:
    """Keras 3.0 wrote builtin activations as {class_name: 'function', config: 'relu'}."""
    if isinstance(value, dict) and value.get("class_name") == "function" and isinstance(value.get("config"), str):
        return value["config"]
    return value


ActivationSpec = Annotated[
    Annotated[ActivationName, Tag("name")] | Annotated[ActivationObject, Tag("object")],
    Discriminator(lambda v: "name" if isinstance(v, str) else "object"),
    BeforeValidator(_activation_object),
]


def activation_weights(activation: ActivationName | ActivationLayerObject, output: Shape) -> list[WeightSpec]:
    """Weights an activation layer object holds (a PReLU's alpha) on this output. Keras
    makes them on the first call, after a layer was frozen: the object's own trainable
    flag decides (Dense(trainable=False, activation=PReLU()) trains its alpha)."""
    if not isinstance(activation, ActivationLayerObject):
        return []
    made = [replace(w, owner="activation") for w in activation.config.weights([output])]
    return [replace(w, keeps_trainable=True) for w in made] if activation.config.trainable else made


def check_activation_axis(activation: ActivationName | ActivationLayerObject, output: Shape) -> None:
    if isinstance(activation, ActivationLayerObject):
        activation.config.output_shape([output])
