"""TimeDistributed: any layer applied to every step of a sequence alike."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import cache
from typing import Annotated, Any

from ..lazy import LazyUnion
from .base import LayerConfig, LayerObject, Shape, ShapeError, WeightSpec, layer_kind, object_model, show


@cache
def _object_model(kind: str) -> type[LayerObject] | None:
    from . import kind_config

    config = kind_config(kind)
    return None if config is None else object_model(LayerObject, config)


def _kinds() -> list[str]:
    from . import all_kinds

    return sorted(all_kinds())


AnyLayerObject = Annotated[
    LayerObject,
    LazyUnion((), schema_type=lambda: dict[str, Any], lookup=_object_model, tags=_kinds, base=(LayerObject,)),
]
"""Any layer nnspec has, as {class_name, config}, validated by its own kind's model."""


@layer_kind("TimeDistributed")
class TimeDistributedConfig(LayerConfig):
    """`layer` applied to each step of (batch, time, ...) alike, with one set of weights:
    (batch, time, ...) -> (batch, time, <layer's output>)."""

    layer: AnyLayerObject

    def inner_input(self, inputs: Sequence[Shape]) -> Shape:
        shape = self.single(inputs)
        if len(shape) < 3:
            raise ShapeError(f"TimeDistributed takes (batch, time, ...), got {show(shape)}")
        return (None, *shape[2:])

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        shape = self.single(inputs)
        inner = self.layer.config.output_shapes([self.inner_input(inputs)])
        if len(inner) != 1:
            raise ShapeError(f"TimeDistributed takes a layer with one output; {self.layer.class_name} has {len(inner)}")
        return (shape[0], shape[1], *inner[0][1:])

    def build_weights(self, inputs: Sequence[Shape]) -> list[WeightSpec]:
        """The wrapped layer's weights, saved under its attribute `layer`."""
        made = self.layer.config.weights([self.inner_input(inputs)])
        return [replace(w, owner=f"layer/{w.owner}" if w.owner else "layer") for w in made]
