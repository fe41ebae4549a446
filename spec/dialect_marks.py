"""Which Keras wrote a document that does not say: the marks each writer leaves in its layers.

A tf.keras 2 config copied out of an `.h5` file's `model_config` or a TF.js `modelTopology`
has no top-level `keras_version`. Read as the concise hand-written form it would be misread
(GRU's `reset_after`, a normal initializer's truncation) or refused for fields tf.keras wrote.
Only marks no person writes by hand count: one of them decides, and a Keras 3 mark wins over
every Keras 2 one. `module` and `registered_name` are no mark: tf.keras 2.13 and later write
them beside each layer as Keras 3 does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

MARK_LIMIT = 10_000
"""Layers looked at; a mark, when there is one, is in every layer or in the first ones."""


def content_dialect(doc: dict[str, Any]) -> str | None:
    """'keras2' or 'keras3' from the layers' own marks, None where nothing marks a writer."""
    found = None
    for index, layer in enumerate(_layers(doc.get("config"))):
        if index >= MARK_LIMIT:
            break
        mark = _layer_mark(layer)
        if mark == "keras3":
            return mark
        found = found or mark
    return found


def _layer_mark(layer: dict[str, Any]) -> str | None:
    nodes = layer.get("inbound_nodes")
    if isinstance(nodes, list) and nodes:
        if isinstance(nodes[0], dict) and ("args" in nodes[0] or "kwargs" in nodes[0]):
            return "keras3"
        if isinstance(nodes[0], list) and _is_keras2_call(nodes[0]):
            return "keras2"
    config = layer.get("config")
    if not isinstance(config, dict):
        return None
    if isinstance(config.get("dtype"), dict) and "module" in config["dtype"]:
        return "keras3"  # a DTypePolicy object
    # tf.keras 2 writes the input shape as batch_input_shape (Keras 3: batch_shape), beside
    # the dtype it writes on every layer (and trainable on all but InputLayer)
    written_whole = "dtype" in config and ("trainable" in config or layer.get("class_name") == "InputLayer")
    return "keras2" if written_whole and "batch_input_shape" in config else None


def _is_keras2_call(call: list[Any]) -> bool:
    """[[name, node, tensor, {kwargs}], ...]: Keras 2's inbound node (Keras 1's has no kwargs)."""
    return bool(call) and all(isinstance(ref, list) and len(ref) == 4 and isinstance(ref[3], dict) for ref in call)


def _layers(config: Any) -> Iterator[dict[str, Any]]:
    """Every layer entry, nested models' and wrapped layers' too, first ones first."""
    layers = config if isinstance(config, list) else config.get("layers") if isinstance(config, dict) else None
    if not isinstance(layers, list):
        return
    for layer in layers:
        if not isinstance(layer, dict):
            continue
        yield layer
        inner = layer.get("config")
        if isinstance(inner, dict) and isinstance(inner.get("layer"), dict):
            yield inner["layer"]
        if isinstance(inner, dict | list):
            yield from _layers(inner)
