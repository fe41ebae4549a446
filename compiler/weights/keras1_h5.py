"""Full-model and weights `.h5` files of standalone Keras 1.x and 2.0-2.2, read with h5py.

What the writers left (Keras 1.2.2 `models.save_model` and `Container.save_weights_to_hdf5_group`,
Keras 2.0-2.2 `engine/topology.py: save_weights_to_hdf5_group`):

- the weights group (`model_weights` of a full-model file, the file itself for `save_weights`)
  lists `layer_names`; each layer's group lists `weight_names`, and each weight is a dataset
  named after its variable: Keras 1 `dense_1_W` (Theano) or `dense_1_W:0` (TensorFlow) right
  in the layer's group, Keras 2 `dense_1/kernel:0` one group further down;
- Keras 2 also marks that group with `keras_version` and `backend`; Keras 1 wrote its version
  on the file only, so a weights group without `keras_version` is Keras 1's, which is how
  every later loader tells (tf-keras `hdf5_format.load_weights_from_hdf5_group`).

Layers are matched to the spec's by name (each file carries its own architecture, so the names
are the spec's); within a layer the weights go by position, as every Keras loader takes them,
after the conversions tf-keras's `preprocess_weights_for_loading` makes: Keras 1's LSTM (12
weights, gates i, c, f, o) and GRU (9 weights, gates z, r, h) joined into Keras 2's three;
Keras 1's Convolution1D (4-D), Deconvolution2D and channels-first (`dim_ordering='th'`) kernels
moved to Keras 2's layout; a kernel of the wrong layout transposed; cuDNN cells converted; the
layers of a nested model each on its own, wrapped ones (Bidirectional's two) as their kinds.
Like tf-keras, and unlike Keras 2.0-2.2 running on another backend, nothing flips a kernel
trained with Theano: it is loaded as it was saved, and a warning names the layers (where a
file's `backend` says 'theano'; Keras 1 recorded none)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from ...spec.graph import Graph, LayerInfo, ModelWeight
from .cudnn import as_keras_layout
from .h5_safe import WeightsMismatch, checked, h5_dataset, h5_group, legacy_weights, saved_weight_names, text_list

Arrays = dict[str, np.ndarray]

CONV_KINDS = ("Conv1D", "Conv2D", "Conv3D", "Conv2DTranspose")
"""The kinds tf-keras converts (with ConvLSTM2D, which nnspec does not compile)."""


class TheanoKernels(UserWarning):
    """Convolution kernels of a file written with the Theano backend, loaded as saved."""


def saved_version(group: Any) -> str:
    """The Keras version that wrote a weights group: its `keras_version`, else "1"."""
    version = saved_text(group, "keras_version")
    return "1" if version is None else str(version)


def is_old(version: str) -> bool:
    """Written by Keras 1 or by standalone Keras 2.0-2.2 (not tf.keras's '2.2.4-tf')."""
    if version == "1" or version.startswith("1."):
        return True
    parts = version.split(".")
    return len(parts) >= 2 and parts[0] == "2" and parts[1] in ("0", "1", "2") and "tf" not in version


def read_by_name(group: Any, graph: Graph, version: str) -> Arrays:
    """Every declared weight of the spec's model, each layer's from the file's layer of its name."""
    saved = {name: names for name in text_list(group, "layer_names") if (names := saved_weight_names(group, name))}
    layers = {info.name: (info, weights) for info in graph.layers if (weights := legacy_weights(info))}
    missing, extra = [n for n in layers if n not in saved], [n for n in saved if n not in layers]
    if missing or extra:
        problems = [f"no weights in it for {', '.join(repr(n) for n in missing)}"] if missing else []
        problems += [f"it holds weights of {', '.join(repr(n) for n in extra)}, not in the spec"] if extra else []
        found = ", ".join(repr(n) for n in saved) or "none"
        raise WeightsMismatch(
            f"the file (Keras {version}) is matched to the spec by layer name; {'; '.join(problems)} "
            f"(the file's layers with weights: {found})"
        )
    out: Arrays = {}
    for name, (info, weights) in layers.items():
        layer_group = h5_group(group, name)
        stored = [h5_dataset(layer_group, n, name, n) for n in saved[name]]
        _bounded(stored, saved[name], weights, name)
        try:
            arrays = layer_arrays(info, weights, stored, saved[name], version)
        except WeightsMismatch as error:
            raise error if str(error).startswith("layer ") else WeightsMismatch(f"layer {name!r}: {error}") from None
        for data, weight in zip(arrays, weights, strict=True):
            out[weight.path] = checked(data, weight.weight.shape, name, weight.weight.name)
    if saved_text(group, "backend") == "theano" and (convolutions := conv_layers(graph)):
        warnings.warn(
            f"{', '.join(repr(n) for n in convolutions)}: the file was written with the Theano backend, "
            "whose convolutions flip their kernels; like tf-keras, nnspec loads the kernels as saved, so "
            "these layers compute TensorFlow's correlation with them, not Theano's convolution",
            TheanoKernels,
            stacklevel=2,
        )
    return out


def saved_text(group: Any, name: str) -> str | None:
    value = group.attrs.get(name)
    return value.decode("utf8", errors="replace") if isinstance(value, bytes) else value


def conv_layers(graph: Graph) -> list[str]:
    """The layers (nested models' too, wrapped ones by their wrapper) holding a convolution kernel."""
    out = []
    for info in graph.layers:
        if info.inner is not None:
            out += conv_layers(info.inner)
        elif info.kind in CONV_KINDS or (
            info.kind == "TimeDistributed" and info.entry.config.layer.class_name in CONV_KINDS
        ):
            out.append(info.name)
    return out


def _bounded(stored: list[Any], labels: list[str], weights: Sequence[ModelWeight], layer: str) -> None:
    """No dataset holds more numbers than the spec's whole layer: checked before any is read
    (a chunk can be a decompression bomb); the conversions only join and reorder."""
    limit = sum(w.weight.size for w in weights)
    for data, label in zip(stored, labels, strict=True):
        if int(np.prod(data.shape)) > 2 * limit:  # 2: a cuDNN bias holds two
            shapes = ", ".join(str(w.weight.shape) for w in weights)
            raise WeightsMismatch(
                f"layer {layer!r}: {label} has shape {tuple(data.shape)} in the file, "
                f"more than the spec's weights hold ({shapes})"
            )


def layer_arrays(
    info: LayerInfo, weights: Sequence[ModelWeight], stored: list[Any], labels: list[str], version: str
) -> list[Any]:
    """A layer's stored weights (datasets, in the file's order) as the spec's `weights` take
    them, converted as tf-keras converts them; the count checked, shapes left to the caller."""
    converted = _nested(info, weights, stored, version) if info.inner is not None else None
    if converted is None:
        converted = _layer(info, [w.weight.shape for w in weights], stored, version)
    if len(converted) != len(weights):
        expected = ", ".join(w.weight.name for w in weights)
        raise WeightsMismatch(
            f"layer {info.name!r}: the file holds {len(stored)} weights ({', '.join(labels)}), "
            f"the spec's {info.kind} has {len(weights)} ({expected})"
            + (" or Keras 1's split per gate" if info.kind in KERAS1_GATES else "")
        )
    if info.inner is None:
        converted = as_keras_layout(info, weights, converted)  # tf.keras 1.x's CuDNNLSTM/CuDNNGRU
    return converted


def _layer(info: LayerInfo, targets: list[tuple[int, ...]], stored: list[Any], version: str) -> list[Any]:
    """A layer's weights through its kind's conversions; a wrapper's through its layers'."""
    config = info.entry.config
    if info.kind == "Bidirectional" and len(stored) % 2 == 0 and len(targets) % 2 == 0:
        half, mine = len(stored) // 2, len(targets) // 2
        forward = _convert(config.forward.class_name, config.forward.config, stored[:half], targets[:mine], version)
        backward = _convert(config.backward.class_name, config.backward.config, stored[half:], targets[mine:], version)
        return forward + backward
    if info.kind == "TimeDistributed":
        return _convert(config.layer.class_name, config.layer.config, stored, targets, version)
    return _convert(info.kind, config, stored, targets, version)


def _nested(info: LayerInfo, weights: Sequence[ModelWeight], stored: list[Any], version: str) -> list[Any] | None:
    """A nested model's weights, each of its layers' converted on its own as tf-keras's
    `convert_nested_model` does (in the same legacy order, so position by position); None
    where the counts differ (a conversion that joins weights has no place in it there either)."""
    if len(stored) != len(weights):
        return None
    out = list(stored)
    positions: dict[tuple[str, ...], list[int]] = {}
    for index, weight in enumerate(weights):
        positions.setdefault(weight.layers, []).append(index)
    for path, indices in positions.items():
        if len(path) < 2:
            continue  # the nested model's own weights: none
        graph, sub = info.inner, None
        for name in path[1:]:
            if graph is None:
                break
            sub = graph.layer(name)
            graph = sub.inner
        if sub is None or sub.inner is not None:
            continue
        mine = [weights[n] for n in indices]
        converted = _layer(sub, [w.weight.shape for w in mine], [stored[n] for n in indices], version)
        if len(converted) == len(indices):
            converted = as_keras_layout(sub, mine, converted)
            for n, array in zip(indices, converted, strict=True):
                out[n] = array
    return out


def _convert(kind: str, config: Any, stored: list[Any], targets: list[tuple[int, ...]], version: str) -> list[Any]:
    """One layer's weights through tf-keras's conversions for its kind."""
    if version == "1":
        stored = keras1_layout(kind, config, stored, targets)
    kernel_misfits = bool(stored and targets) and tuple(stored[0].shape) != targets[0]
    if kind in CONV_KINDS and kernel_misfits and len(stored[0].shape) == 4:
        # tf-keras's last resort for a kernel of another layout: (filters, stack, rows, cols)
        stored = [np.transpose(np.asarray(stored[0]), (3, 2, 0, 1)), *stored[1:]]
    return stored


KERAS1_GATES = {"LSTM": (0, 2, 1, 3), "GRU": (0, 1, 2)}
"""Keras 1 kept one (kernel, recurrent kernel, bias) per gate, in the order i, c, f, o for the
LSTM and z, r, h for the GRU; the position of each of Keras 2's gates (i, f, c, o; z, r, h)."""


def keras1_layout(kind: str, config: Any, stored: list[Any], targets: list[tuple[int, ...]]) -> list[Any]:
    """Keras 1's weights of one layer in Keras 2's layout (tf-keras's `original_keras_version == "1"`)."""
    if kind in KERAS1_GATES and len(stored) == 3 * len(KERAS1_GATES[kind]) and len(targets) == 3:
        gates = [stored[3 * gate : 3 * gate + 3] for gate in KERAS1_GATES[kind]]
        _check_parts(gates, targets, len(gates))
        return [np.concatenate([np.asarray(gate[part]) for gate in gates], axis=-1) for part in range(3)]
    if not stored or kind not in CONV_KINDS:
        return stored
    kernel = stored[0]
    channels_first = getattr(config, "data_format", None) == "channels_first"
    if kind == "Conv1D":
        kernel = _keras1_conv1d(np.asarray(kernel), config)
    elif kind == "Conv2D" and channels_first:
        kernel = np.transpose(np.asarray(kernel), (2, 3, 1, 0))  # (filters, stack, rows, cols) -> Keras 2
    elif kind == "Conv2DTranspose":
        kernel = np.transpose(np.asarray(kernel), (2, 3, 0, 1) if channels_first else (0, 1, 3, 2))
    elif kind == "Conv3D" and channels_first:
        kernel = np.transpose(np.asarray(kernel), (2, 3, 4, 1, 0))
    return [kernel, *stored[1:]]


def _keras1_conv1d(kernel: np.ndarray, config: Any) -> np.ndarray:
    """Keras 1's Convolution1D kernel, (length, 1, input_dim, filters), or Keras 1.1's
    (filters, input_dim, length, 1), as Keras 2's (length, input_dim, filters)."""
    length, filters = config.kernel_size[0], config.filters
    if kernel.ndim != 4:
        return kernel  # not Keras 1's: the shape check names it
    if kernel.shape[:2] != (length, 1) or kernel.shape[3] != filters:
        if kernel.shape[0] != filters or kernel.shape[2:] != (length, 1):
            raise WeightsMismatch(
                f"a Keras 1 Convolution1D kernel has shape {kernel.shape} in the file, the spec's model "
                f"needs ({length}, 1, input_dim, {filters}) or Keras 1.1's ({filters}, input_dim, {length}, 1)"
            )
        kernel = np.transpose(kernel, (2, 3, 1, 0))
    return kernel[:, 0, :, :]


def _check_parts(gates: list[list[Any]], targets: list[tuple[int, ...]], count: int) -> None:
    """Each gate's piece has the spec's shape with the last axis divided by the gates: checked
    before anything is read."""
    for part, target in enumerate(targets):
        want = (*target[:-1], target[-1] // count)
        for gate in gates:
            if tuple(gate[part].shape) != want:
                name = getattr(gate[part], "name", "a weight") or "a weight"
                raise WeightsMismatch(
                    f"{name.rsplit('/', 1)[-1]} has shape {tuple(gate[part].shape)} in the file, "
                    f"the spec's model needs {want} (one gate of {target})"
                )
