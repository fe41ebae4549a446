"""Spec values as Keras constructor arguments: `layers.Dense(50, activation="relu")`.

Only fields that differ from Keras's defaults are written, so the generated call
reads like one a person would write. Every string goes through repr()."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from ...spec import initializers, regularizers
from ...spec.activations import ACTIVATIONS
from ...spec.base import KerasObject, snake_case
from ...spec.layers.activations import ActivationLayerObject
from ...spec.layers.base import LayerConfig, LayerObject
from ..names import pystr

_MODULES: list[tuple[tuple[type, ...], str]] = [
    (tuple(initializers.INITIALIZER_CLASSES), "initializers"),
    ((regularizers.L1, regularizers.L2, regularizers.L1L2, regularizers.OrthogonalRegularizer), "regularizers"),
    ((regularizers.MaxNorm, regularizers.MinMaxNorm, regularizers.NonNeg, regularizers.UnitNorm), "constraints"),
]

ACTIVATION_LAYER = "activation layer"
"""Marks a model whose activation layers (Dense(activation=PReLU())) make their
weights on the first call: the generated file calls the model once before summary()."""

LEGACY_HARD_SIGMOID = "legacy_hard_sigmoid"
"""tf.keras 2's hard_sigmoid, which Keras 3 lacks: the generated file defines it."""


def changed_fields(model: BaseModel, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """The fields of `model` that differ from their defaults, in declaration order."""
    out = {}
    for key, info in type(model).model_fields.items():
        if key in skip:
            continue
        value = getattr(model, key)
        if info.is_required() or value != info.get_default(call_default_factory=True):
            out[key] = value
    return out


def call(function: str, positional: list[str], keywords: dict[str, str]) -> str:
    return f"{function}({', '.join([*positional, *(f'{k}={v}' for k, v in keywords.items())])})"


def value(item: Any, uses: set[str]) -> str:
    """Python source for one config value; `uses` collects helpers the file must define."""
    if isinstance(item, KerasObject):
        return _keras_object(item, uses)
    if isinstance(item, ActivationLayerObject):
        uses.add(ACTIVATION_LAYER)
        return layer_call(item.class_name, item.config, (), uses)
    if isinstance(item, LayerObject):
        from ..kinds import rule_for

        return layer_call(item.class_name, item.config, rule_for(item.class_name).keras_positional, uses)
    if isinstance(item, list | tuple):
        return "[" + ", ".join(value(v, uses) for v in item) + "]"
    if isinstance(item, str):
        return pystr(item)
    if isinstance(item, float | int | bool) or item is None:
        return repr(item)
    raise TypeError(f"no Keras rendering for {type(item).__name__}")


def activation(name: str, uses: set[str]) -> str:
    keras_name = ACTIVATIONS[name].keras
    if keras_name is None:
        uses.add(LEGACY_HARD_SIGMOID)
        return LEGACY_HARD_SIGMOID
    return pystr(keras_name)


def layer_call(kind: str, config: LayerConfig, positional: tuple[str, ...], uses: set[str]) -> str:
    """`layers.Kind(...)` for a layer config, Keras defaults left out. A class Keras defines
    elsewhere (keras.applications' LayerScale) is imported by name: its import joins `uses`."""
    fields = {key: _field(key, item, uses) for key, item in changed_fields(config, skip=("name",)).items()}
    args = [fields.pop(key) for key in positional if key in fields]
    if config.keras_module != "keras.layers":
        uses.add(import_line(config.keras_module, kind))
        return call(kind, args, {**fields, "name": pystr(config.name)})
    return call(f"layers.{kind}", args, {**fields, "name": pystr(config.name)})


def import_line(module: str, name: str) -> str:
    return f"from {module} import {name}"


def imports(uses: set[str]) -> list[str]:
    """The import lines among `uses`, sorted."""
    return sorted(use for use in uses if use.startswith("from "))


ACTIVATION_FIELDS = ("activation", "recurrent_activation")


def _field(key: str, item: Any, uses: set[str]) -> str:
    return activation(item, uses) if key in ACTIVATION_FIELDS and isinstance(item, str) else value(item, uses)


def _keras_object(item: KerasObject, uses: set[str]) -> str:
    options = changed_fields(item, skip=("class_name",))
    module = next(name for classes, name in _MODULES if isinstance(item, classes))
    # by name where Keras 3 can build it from the name alone ("constant" it cannot: value is required)
    by_name = module == "initializers" and item.class_name != "Constant"
    if not options and by_name and snake_case(item.class_name) in initializers.INITIALIZER_NAMES:
        return pystr(snake_case(item.class_name))
    return call(f"keras.{module}.{item.class_name}", [], {k: value(v, uses) for k, v in options.items()})
