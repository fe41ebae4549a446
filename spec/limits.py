"""Limits that keep a spec that validates buildable: how deep models may nest, and how
many values one sample's largest tensor may hold. Both are checked at validation,
before anything is built or allocated (--max-params bounds the weights, not these)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from .errors import PathPart, Problem, count_text, format_path
from .graph import Graph, LayerInfo, Where
from .layers.base import Shape, show

Loc = tuple[PathPart, ...]

MAX_NESTING = 100
"""Models inside models, the outermost counted. Found by trying, at Python's default
recursion limit: Keras 3.15 builds, calls and serialises 320 nested functional models
and fails at 340; nnspec's own lowering to torch fails near 200. A hundred leaves room
for the frames of whatever calls nnspec."""

DEFAULT_MAX_ACTIVATIONS = 2**28
"""Values in one sample's largest tensor: 268,435,456, 1 GiB of float32 (ResNet50's
largest at 224x224 holds 802,816; a 2048x2048x64 feature map 268,435,456)."""

MODEL_KINDS = frozenset({"Sequential", "Functional", "Model"})


def nesting_problem(doc: dict[str, Any]) -> Problem | None:
    """The first model entry nested deeper than MAX_NESTING, in the user's document:
    walked without recursion, before the normaliser and validation recurse into it."""
    stack: list[tuple[dict[str, Any], Loc, int]] = [(doc, (), 1)]
    while stack:
        node, loc, depth = stack.pop()
        for at, entry in _layer_entries(node, loc):
            kind = entry.get("class_name") if isinstance(entry, dict) else None
            if not (isinstance(kind, str) and kind in MODEL_KINDS):
                continue
            if depth + 1 > MAX_NESTING:
                return Problem(
                    format_path(at),
                    f"models nest {depth + 1} deep here, more than the {MAX_NESTING} nnspec builds",
                    expected=f"at most {MAX_NESTING} models, one inside the other",
                    hint="Keras itself fails past about 330, at Python's recursion limit: flatten the inner models",
                )
            stack.append((entry, at, depth + 1))
    return None


def _layer_entries(node: dict[str, Any], loc: Loc) -> Iterator[tuple[Loc, Any]]:
    config = node.get("config")
    if isinstance(config, list):  # Keras <= 2.2: a Sequential's config is its layer list
        layers, at = config, (*loc, "config")
    else:
        layers = config.get("layers") if isinstance(config, dict) else None
        at = (*loc, "config", "layers")
    if isinstance(layers, list):
        yield from (((*at, i), entry) for i, entry in enumerate(layers))


def activation_problem(graph: Graph, where: Where, max_activations: int) -> Problem | None:
    """The largest tensor one sample makes (unknown dimensions taken as 1), where it holds
    more than `max_activations` values: a layer's output, or the model input it takes."""
    largest, found = 0, None
    for info in _all_layers(graph):
        for verb, shape in _tensors(info):
            values = math.prod(d for d in shape[1:] if d is not None)
            if values > largest:
                largest, found = values, (info, verb, shape)
    if found is None or largest <= max_activations:
        return None
    info, verb, shape = found
    return Problem(
        where(info.loc),
        f"layer {info.name!r} ({info.kind}) {verb} {show(shape)}: too large a tensor to run",
        received=count_text(largest, "values per sample"),
        expected=f"at most {max_activations:,}",
        hint="raise the limit with --max-activations if this is intended",
    )


def empty_problem(graph: Graph, where: Where) -> Problem | None:
    """The first tensor with an axis of size 0, a layer's output or the input it takes: it
    holds no values, and torch refuses to build some layers on it (an LSTM of 0 features)."""
    for info in _all_layers(graph):
        for verb, shape in _tensors(info):
            if 0 in shape:
                return Problem(
                    where(info.loc),
                    f"layer {info.name!r} ({info.kind}) {verb} {show(shape)}: a tensor with an axis of size 0",
                    expected="every size at least 1",
                    hint="check the input shape and the sizes, crops and strides before this layer",
                )
    return None


def _tensors(info: LayerInfo) -> Iterator[tuple[str, Shape]]:
    for call in info.calls:
        yield from (("takes", shape) for shape in call.input_shapes)
        yield from (("outputs", shape) for shape in call.output_shapes)


def _all_layers(graph: Graph) -> Iterator[LayerInfo]:
    stack = [graph]
    while stack:
        for info in stack.pop().layers:
            yield info
            if info.inner is not None:
                stack.append(info.inner)
