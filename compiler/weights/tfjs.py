"""A TensorFlow.js layers-model's weights, read from the shard files its model.json names,
without TensorFlow. The layout is tensorflowjs's (python/tensorflowjs/write_weights.py and
quantization.py): each manifest group's shard files, concatenated in order, hold its
weights back to back in manifest order; a quantized weight is stored as uint8 or uint16
(affine: q * scale + min) or float16, and read back as its original dtype.

Weights are matched to the spec's by name ('hidden/kernel', 'lstm/lstm_cell/kernel'),
never by position; every declared weight must be there with its shape, and nothing else."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from ...spec.graph import Graph, ModelWeight, model_weights
from ...spec.read import read_file
from .keras_h5 import WeightsMismatch
from .links import WeightError

Arrays = dict[str, np.ndarray]

DTYPES = {
    "float32": np.float32,
    "int32": np.int32,
    "bool": np.bool_,
    "uint8": np.uint8,
    "uint16": np.uint16,
    "float16": np.float16,
}


def read_tfjs_weights(path: Path, graph: Graph) -> Arrays:
    """Every declared weight of `graph`'s model, from the shards beside `path` (a model.json)."""
    doc = read_file(path)
    manifest = doc.get("weightsManifest") if isinstance(doc, dict) else None
    if not isinstance(manifest, list):
        raise WeightError(
            f"{path}: holds an architecture and no weights (no weightsManifest, as a TF.js model.json has); "
            "generate code from it with `nnspec generate`, or convert a .keras, .h5 or TF.js model"
        )
    stored = _entries(path, manifest)
    buffers: dict[int, bytes] = {}
    out: Arrays = {}
    for weight in model_weights(graph):
        name = _stored_name(weight, stored)
        group, offset, entry = stored.pop(name)
        shape = tuple(entry["shape"])
        if shape != weight.weight.shape:
            raise WeightsMismatch(
                f"layer {weight.layers[-1]!r}: {weight.weight.name} has shape {shape} in the file, "
                f"the spec's model needs {weight.weight.shape}"
            )
        if group not in buffers:
            buffers[group] = _group_bytes(path, manifest[group]["paths"])
        out[weight.path] = _decoded(path, buffers[group], offset, entry)
    if stored:
        raise WeightsMismatch(f"the file holds weights the spec's model has not: {', '.join(sorted(stored))}")
    return out


def _entries(path: Path, manifest: list[Any]) -> dict[str, tuple[int, int, dict[str, Any]]]:
    """Weight name -> (group, byte offset, manifest entry); offsets checked against the shard sizes."""
    out: dict[str, tuple[int, int, dict[str, Any]]] = {}
    for index, group in enumerate(manifest):
        if not isinstance(group, dict) or not isinstance(group.get("weights"), list):
            raise WeightError(f"{path}: weightsManifest[{index}] is not a group of weights")
        offset = 0
        for entry in group["weights"]:
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                raise WeightError(f"{path}: weightsManifest[{index}] has a weight without a name")
            name = entry["name"].removesuffix(":0")  # tf.keras's output slot, as the converter drops it
            if name in out:
                raise WeightError(f"{path}: weight {name!r} is listed twice")
            out[name] = (index, offset, entry)
            offset += _byte_size(path, entry)
        files = _shards(path, group.get("paths"))
        held = sum(file.stat().st_size for file in files)
        if held < offset:
            names = ", ".join(str(f) for f in files)
            raise WeightError(f"{names}: {held:,} bytes, the manifest's weights need {offset:,}; a shard is short")
    return out


def _byte_size(path: Path, entry: dict[str, Any]) -> int:
    shape = entry.get("shape")
    if not isinstance(shape, list) or not all(isinstance(n, int) and n >= 0 for n in shape):
        raise WeightError(f"{path}: weight {entry['name']!r} has no valid shape ({shape!r})")
    return math.prod(shape) * np.dtype(_stored_dtype(path, entry)).itemsize


def _stored_dtype(path: Path, entry: dict[str, Any]) -> Any:
    quantization = entry.get("quantization")
    dtype = quantization.get("dtype") if isinstance(quantization, dict) else entry.get("dtype", "float32")
    if dtype not in DTYPES:
        raise WeightError(f"{path}: weight {entry['name']!r} is stored as {dtype!r}; nnspec reads numeric weights")
    return DTYPES[dtype]


def _shards(path: Path, names: Any) -> list[Path]:
    """The group's files, each a plain name beside model.json (never a path elsewhere)."""
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise WeightError(f"{path}: a weightsManifest group has no list of paths")
    files = []
    for name in names:
        if not name or Path(name).name != name or name in (".", ".."):
            raise WeightError(f"{path}: weight file {name!r} is not a file beside model.json; refused")
        file = path.parent / name
        if not file.is_file():
            raise WeightError(f"{file}: no such file (a weight shard that {path.name} names)")
        files.append(file)
    return files


def _group_bytes(path: Path, names: list[str]) -> bytes:
    return b"".join(file.read_bytes() for file in _shards(path, names))


def _stored_name(weight: ModelWeight, stored: dict[str, Any]) -> str:
    """The stored name of a declared weight: 'layer/kernel', or 'layer/<cell>/kernel' for a
    weight a sub-layer (an RNN's cell) owns."""
    layer, name = weight.layers[-1], weight.weight.name
    exact = f"{layer}/{name}"
    if exact in stored:
        return exact
    found = [n for n in stored if n.startswith(f"{layer}/") and n.endswith(f"/{name}")]
    if len(found) != 1:
        held = sorted(n for n in stored if n.startswith(f"{layer}/"))
        what = f"holds {', '.join(held)}" if held else "holds none of its weights"
        raise WeightsMismatch(f"layer {layer!r}: its {name} ({weight.weight.shape}) is not in the file, which {what}")
    return found[0]


def _decoded(path: Path, buffer: bytes, offset: int, entry: dict[str, Any]) -> np.ndarray:
    """One weight's array, dequantized as quantization.dequantize_weights does."""
    dtype = np.dtype(_stored_dtype(path, entry))
    count = math.prod(entry["shape"])
    data = np.frombuffer(buffer, dtype=dtype.newbyteorder("<"), count=count, offset=offset).reshape(entry["shape"])
    quantization = entry.get("quantization")
    if not isinstance(quantization, dict):
        return data.copy()
    original = np.dtype(DTYPES.get(quantization.get("original_dtype", entry.get("dtype", "float32")), np.float32))
    if dtype == np.float16:
        return data.astype(original)
    try:
        scale, low = float(quantization["scale"]), float(quantization["min"])
    except (KeyError, TypeError, ValueError):
        raise WeightError(
            f"{path}: weight {entry['name']!r} is quantized as {dtype.name} without a scale and min"
        ) from None
    values = data.astype(np.float64) * scale + low
    return (np.round(values) if np.issubdtype(original, np.integer) else values).astype(original)
