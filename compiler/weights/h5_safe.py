"""The legacy HDF5 layout's shared pieces, read with h5py alone: which weights a layer takes
in `_legacy_weights` order, the list attributes Keras wrote, and safe access to groups and
datasets (shapes compared before a dataset is read, links to elsewhere refused). Used by
keras_h5 (Keras 3 and tf.keras 2 files) and keras1_h5 (Keras 1.x and 2.0-2.2 files)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...spec.graph import LayerInfo, ModelWeight, model_weights
from .links import WeightError


class WeightsMismatch(WeightError):
    """The file's weights do not fit the spec's model; the message says where."""


def legacy_weights(info: LayerInfo) -> list[ModelWeight]:
    """A top-level layer's weights in `_legacy_weights` order: its trainable weights, then
    the others, each in `layer.weights` order (a nested model's: layer by layer). A frozen
    layer has no trainable weights; otherwise a variable is trainable as it was made (a
    frozen layer inside a nested model made its own non-trainable, a frozen nested model
    leaves its layers' as they were)."""
    path = (info.name,)
    weights = model_weights(info.inner, path) if info.inner is not None else []
    weights += [ModelWeight(path, weight, info.kind) for weight in info.weights]
    if not info.entry.config.trainable:
        return weights
    return [w for w in weights if w.weight.trainable] + [w for w in weights if not w.weight.trainable]


def saved_weight_names(group: Any, name: str) -> list[str]:
    return text_list(h5_group(group, name), "weight_names")


def text_list(group: Any, name: str) -> list[str]:
    """A list attribute, also when HDF5's header limit made Keras split it (`name0`, `name1`...)."""
    if name in group.attrs:
        chunks = [group.attrs[name]]
    else:
        chunks = []
        while f"{name}{len(chunks)}" in group.attrs:
            chunks.append(group.attrs[f"{name}{len(chunks)}"])
    return [n.decode("utf8") if isinstance(n, bytes) else str(n) for chunk in chunks for n in chunk]


def h5_child(group: Any, path: str) -> Any:
    """The object at `path` below `group`, or None; a link to elsewhere is refused."""
    import h5py

    node = group
    for part in path.split("/"):
        if not part:
            raise WeightsMismatch(f"invalid path in the HDF5 file: {path!r}")
        if not isinstance(node, h5py.Group) or part not in node:
            return None
        if not isinstance(node.get(part, getlink=True), h5py.HardLink):
            raise WeightError(f"{path}: the HDF5 file links elsewhere; refused")
        node = node[part]
    return node


def h5_group(group: Any, path: str) -> Any:
    import h5py

    found = h5_child(group, path)
    if not isinstance(found, h5py.Group):
        raise WeightsMismatch(f"the file has no group {path!r}")
    return found


def h5_array(group: Any, name: str, shape: tuple[int, ...], layer: str, weight: str) -> np.ndarray:
    return checked(h5_dataset(group, name, layer, weight), shape, layer, weight)


def h5_dataset(group: Any, name: str, layer: str, weight: str) -> Any:
    import h5py

    data = h5_child(group, name)
    if not isinstance(data, h5py.Dataset):
        raise WeightsMismatch(f"layer {layer!r}: the file has no dataset {name!r} for its {weight}")
    return data


def checked(data: Any, shape: tuple[int, ...], layer: str, weight: str) -> np.ndarray:
    """The array of a dataset (or one already converted), once its shape is the one declared."""
    if tuple(data.shape) != tuple(shape):
        raise WeightsMismatch(
            f"layer {layer!r}: {weight} has shape {tuple(data.shape)} in the file, the spec's model needs {shape}"
        )
    return np.asarray(data)
