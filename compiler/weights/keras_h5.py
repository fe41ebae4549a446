"""Keras weights in HDF5, read with h5py alone: converting a Keras file to torch imports
neither Keras nor TensorFlow (their import alone took longer than the whole conversion).

Two layouts, told apart by what the file holds, not by its name:

- Keras 3's own (`model.weights.h5` in a `.keras` archive, and `.weights.h5`), written by
  `saving_lib`: each layer of `model.layers` under a group named after its class,
  numbered class by class (`layers/dense_1/vars/0`); a sub-layer's variables under its
  attribute (`layers/lstm/cell/vars/0`); a nested model's layers under its own group.
- The legacy one (a full-model `.h5` of Keras 3 or tf.keras 2, and a tf.keras 2
  weights `.h5`; standalone Keras 1 and 2.0-2.2 wrote it too, and keras1_h5 reads theirs),
  written by `legacy_h5_format`: the `layer_names` attribute lists the
  model's layers; each layer's group lists its `weight_names`. Keras reads it by
  position, not by name: the n-th saved layer holding weights goes to the n-th layer
  of the model holding weights, and its weights in the order of `_legacy_weights`:
  the layer's trainable weights, then its non-trainable ones. Optimizer weights lie
  outside `model_weights` and are not read.

Either way every declared weight of the spec must be found with its shape, and the
arrays are those Keras would load into the spec's model. Shapes are compared before a
dataset is read (a chunk can be a decompression bomb), and links to other files or
paths are refused, as Keras refuses them."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...spec.base import snake_case
from ...spec.graph import Graph
from ...spec.layers import OPERATION_PREFIXES
from .cudnn import as_keras_layout
from .h5_safe import (
    WeightsMismatch,
    checked,
    h5_array,
    h5_child,
    h5_dataset,
    h5_group,
    legacy_weights,
    saved_weight_names,
    text_list,
)
from .keras1_h5 import is_old, read_by_name, saved_version

Arrays = dict[str, np.ndarray]


def read_keras_h5(handle: Any, graph: Graph) -> Arrays:
    """Every declared weight of the model in an open HDF5 file of either layout."""
    if "layer_names" in handle.attrs or "model_weights" in handle:
        return read_legacy(handle, graph)
    arrays: Arrays = {}
    read_store(handle, "", graph, (), arrays)
    return arrays


# -- Keras 3's layout ---------------------------------------------------------------------


def read_store(handle: Any, prefix: str, graph: Graph, within: tuple[str, ...], out: Arrays) -> None:
    """The weights of `graph`'s layers, from the groups under `prefix` (saving_lib's layout)."""
    groups = store_names(graph)
    for info in graph.layers:
        path = (*within, info.name)
        if info.inner is not None:
            read_store(handle, f"{prefix}layers/{groups[info.name]}/", info.inner, path, out)
            continue
        if not info.weights:
            continue
        group = f"{prefix}layers/{groups[info.name]}"
        for owner in dict.fromkeys(w.owner for w in info.weights):
            weights = [w for w in info.weights if w.owner == owner]
            variables = h5_child(handle, f"{group}/{owner}/vars" if owner else f"{group}/vars")
            if variables is None or len(variables) != len(weights):
                found = 0 if variables is None else len(variables)
                raise WeightsMismatch(f"layer {info.name!r}: {len(weights)} weights, the file's {group} holds {found}")
            for index, weight in enumerate(weights):
                out["/".join((*path, weight.name))] = h5_array(
                    variables, str(index), weight.shape, info.name, weight.name
                )


def store_names(graph: Graph) -> dict[str, str]:
    """Layer name -> the group Keras 3 saves it under: its class in snake case, numbered
    (`dense`, `dense_1`, ...) in the order of `model.layers`. Operation nodes are not
    layers, nor is a Sequential model's input."""
    used: dict[str, int] = {}
    out = {}
    for info in graph.layers:
        if info.kind.startswith(OPERATION_PREFIXES) or (graph.kind == "Sequential" and info.kind == "InputLayer"):
            continue
        base = snake_case(info.kind)
        used[base] = used.get(base, -1) + 1
        out[info.name] = f"{base}_{used[base]}" if used[base] else base
    return out


# -- the legacy layout ----------------------------------------------------------------------


def read_legacy(handle: Any, graph: Graph) -> Arrays:
    """The weights of a legacy `.h5`, paired with the model's layers as Keras pairs them."""
    group = handle
    if "layer_names" not in handle.attrs and "model_weights" in handle:
        group = h5_group(handle, "model_weights")
    if is_old(version := saved_version(group)):  # Keras 1.x and standalone Keras 2.0-2.2
        return read_by_name(group, graph, version)
    saved = [(name, names) for name in text_list(group, "layer_names") if (names := saved_weight_names(group, name))]
    layers = [(info, weights) for info in graph.layers if (weights := legacy_weights(info))]
    if len(saved) != len(layers):
        raise WeightsMismatch(
            f"the file holds the weights of {len(saved)} layer(s), the spec's model has {len(layers)} with weights"
        )
    out: Arrays = {}
    for (name, weight_names), (info, weights) in zip(saved, layers, strict=True):
        if len(weight_names) != len(weights):
            raise WeightsMismatch(
                f"layer {info.name!r}: {len(weights)} weights, the file's layer {name!r} holds {len(weight_names)}"
            )
        layer_group = h5_group(group, name)
        stored = [
            h5_dataset(layer_group, n, info.name, w.weight.name) for n, w in zip(weight_names, weights, strict=True)
        ]
        stored = as_keras_layout(info, weights, stored)  # tf.keras 1.x's CuDNNLSTM/CuDNNGRU cells
        for data, weight in zip(stored, weights, strict=True):
            out[weight.path] = checked(data, weight.weight.shape, info.name, weight.weight.name)
    if "top_level_model_weights" in group and saved_weight_names(group, "top_level_model_weights"):
        raise WeightsMismatch("the file holds top-level model weights; a Sequential or Functional model has none")
    return out
