"""A Keras 3 `.keras` file's weights, read straight from its `model.weights.h5` without
building a Keras model (on a ResNet50 that is 6 of the 7 seconds a conversion took).

Keras saves the layers of a model under names made from their class, numbered class by
class in the order of `model.layers` (`layers/conv2d_3/vars/0`): the order of the layers
in the same archive's config.json, which is what nnspec loaded the spec from. A layer's
variables are numbered in the order its build() made them, the order nnspec declares
them; a sub-layer's (an activation layer object's) lie under its attribute. Every
declared weight must be found there with its shape, and nothing else: otherwise the
caller lets Keras read the file."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from ...spec.base import snake_case
from ...spec.errors import SpecError
from ...spec.graph import Graph
from ...spec.load import LoadedSpec
from ...spec.read import read_zipped_spec
from .links import WeightError

Arrays = dict[str, np.ndarray]
MODELS = ("Functional", "Sequential", "Model")


class ArchiveMismatch(ValueError):
    """The archive is not laid out as the spec says: let Keras read it instead."""


class ArchiveBomb(WeightError):
    """A member that would inflate far past its stored size: refused, not handed to Keras."""


def read_keras_archive(path: Path, loaded: LoadedSpec) -> Arrays:
    """Every declared weight of the spec's model, from a `.keras` file. Raises
    ArchiveMismatch where the archive does not hold exactly those weights."""
    import h5py

    with zipfile.ZipFile(path) as archive:
        try:
            config = read_zipped_spec(archive, "config.json")
        except SpecError as error:
            error.source = str(path)
            raise
        stored = archive.read(_checked_weights_member(archive, path))
    arrays: Arrays = {}
    with h5py.File(io.BytesIO(stored), "r") as handle:
        _read_model(handle, "", config, loaded.graph, (), arrays)
    return arrays


def _read_model(
    handle: Any, prefix: str, entry: dict[str, Any], graph: Graph, within: tuple[str, ...], out: Arrays
) -> None:
    layers = _layer_entries(entry)
    groups = _group_names(layers, sequential=_kind(entry) == "Sequential")
    for info in graph.layers:
        if info.kind == "InputLayer":
            continue
        name = groups.get(info.name)
        if name is None:
            raise ArchiveMismatch(f"no layer {info.name!r} among the archive's layers")
        group = f"{prefix}layers/{name}"
        path = (*within, info.name)
        if info.inner is not None:
            _read_model(handle, f"{group}/", layers[info.name], info.inner, path, out)
            continue
        owners = dict.fromkeys(w.owner for w in info.weights)
        for owner in owners:
            weights = [w for w in info.weights if w.owner == owner]
            variables = handle.get(f"{group}/{owner}/vars" if owner else f"{group}/vars")
            if variables is None or len(variables) != len(weights):
                raise ArchiveMismatch(f"{group}: not the {len(weights)} variables of layer {info.name!r}")
            for index, weight in enumerate(weights):
                stored = variables[str(index)]
                if tuple(stored.shape) != weight.shape:  # compared before reading: a chunk can be a bomb too
                    raise ArchiveMismatch(f"{group}/vars/{index}: shape {stored.shape}, expected {weight.shape}")
                out["/".join((*path, weight.name))] = np.asarray(stored)


WEIGHTS_MEMBER = "model.weights.h5"
MAX_EXPANSION = 100
"""Keras's own rule: a member inflating more than this many times its stored size, past
BOMB_FLOOR, is a decompression bomb (arrays of floats hardly compress)."""
BOMB_FLOOR = 1 << 28


def _checked_weights_member(archive: zipfile.ZipFile, path: Path) -> str:
    info = archive.getinfo(WEIGHTS_MEMBER)
    if info.file_size > BOMB_FLOOR and info.file_size > MAX_EXPANSION * info.compress_size:
        raise ArchiveBomb(
            f"{path}: {WEIGHTS_MEMBER} would inflate from {info.compress_size:,} to {info.file_size:,} bytes; "
            "refusing a decompression bomb"
        )
    return WEIGHTS_MEMBER


def _layer_entries(entry: dict[str, Any]) -> dict[str, dict[str, Any]]:
    config = entry.get("config")
    layers = config.get("layers") if isinstance(config, dict) else None
    if not isinstance(layers, list):
        raise ArchiveMismatch("the archive's config.json lists no layers")
    return {_name(layer): layer for layer in layers if isinstance(layer, dict)}


def _group_names(layers: dict[str, dict[str, Any]], sequential: bool) -> dict[str, str]:
    """Layer name -> the group Keras saved it under: its class in snake case, numbered
    (`dense`, `dense_1`, ...) in the order of the model's layers. Operation nodes are not
    layers; a Sequential's input is not among its layers."""
    used: dict[str, int] = {}
    out = {}
    for name, layer in layers.items():
        kind = _kind(layer)
        if _is_operation(layer) or (sequential and kind == "InputLayer"):
            continue
        base = snake_case("Functional" if kind == "Model" else kind)
        if base in used:
            used[base] += 1
            out[name] = f"{base}_{used[base]}"
        else:
            used[base] = 0
            out[name] = base
    return out


def _kind(layer: dict[str, Any]) -> str:
    kind = layer.get("class_name")
    return kind if isinstance(kind, str) else ""


def _name(layer: dict[str, Any]) -> str:
    config = layer.get("config")
    name = layer.get("name") or (config.get("name") if isinstance(config, dict) else None)
    return name if isinstance(name, str) else ""


def _is_operation(layer: dict[str, Any]) -> bool:
    module = layer.get("module")
    return isinstance(module, str) and module.startswith(("keras.src.ops", "keras.ops", "keras.src.activations"))
