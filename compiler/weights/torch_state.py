"""The generated module's complete state_dict, as numpy arrays, without torch.

Everything comes from the lowering's structured pieces: each declared weight's tensor(s)
through its transfer (`links.torch_state_from_keras`), in the dtype the module holds it,
and each buffer torch keeps that Keras has no weight for (`LayerPlan.torch_only`: a
BatchNormalization's num_batches_tracked) with the value the module makes it. The keys
come in torch's own order: a module's parameters, then its buffers, then its submodules
in the order `__init__` registers them (`ClassPlan.modules`), nested models recursively.
`tests/compiler/test_pt_writer.py` holds it to the real module's `state_dict()`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..targets.lower import ClassPlan
from .links import Arrays, WeightError

if TYPE_CHECKING:
    from ..compiled import Compiled


@dataclass(frozen=True)
class _Entry:
    key: str
    """Relative to the class being ordered."""
    buffer: bool
    value: np.ndarray


def module_state(compiled: Compiled, arrays: Arrays) -> Arrays:
    """Every tensor of the generated module's state_dict once the Keras `arrays` are
    loaded into it, keyed and ordered as `state_dict()` is, each a C-contiguous
    little-endian array of the module's dtype."""
    moved: dict[str, np.ndarray] = {}
    for link in compiled.links:
        try:
            array = arrays[link.keras_path]
        except KeyError:
            raise WeightError(f"the weights lack {link.keras_path!r}") from None
        if tuple(np.shape(array)) != link.keras_shape:
            raise WeightError(f"{link.keras_path}: expected shape {link.keras_shape}, got {tuple(np.shape(array))}")
        moved.update(link.torch_state(array))
    state = {entry.key: entry.value for entry in _class_entries(compiled.program.top, moved, "")}
    unused = sorted(set(moved) - set(state))
    if unused:
        raise WeightError(f"the module has no tensor {unused[0]!r}")
    return state


def _class_entries(plan: ClassPlan, moved: dict[str, np.ndarray], prefix: str) -> Iterator[_Entry]:
    """A generated class's entries: its submodules' in registration order (the class
    itself holds no tensor of its own)."""
    groups: dict[str, list[_Entry]] = {}
    for layer in plan.layers:
        if layer.inner is not None:
            assert layer.attr is not None
            inner = list(_class_entries(layer.inner, moved, f"{prefix}{layer.attr}."))
            groups.setdefault(layer.attr, []).extend(inner)
        for weight in layer.weights:
            for tensor in weight.tensors:
                value = _as_dtype(moved[prefix + tensor], weight.dtype)
                groups.setdefault(_head(tensor), []).append(_Entry(prefix + tensor, weight.buffer, value))
        for buffer in layer.torch_only:
            if buffer.persistent:
                value = np.full(buffer.shape, buffer.fill, dtype=np.dtype(buffer.dtype).newbyteorder("<"))
                groups.setdefault(_head(buffer.key), []).append(_Entry(prefix + buffer.key, True, value))
    for module in plan.modules:
        entries = groups.pop(module.attr, [])
        inner = any(layer.attr == module.attr and layer.inner is not None for layer in plan.layers)
        yield from entries if inner else _torch_order(entries, len(prefix) + len(module.attr) + 1)
    if groups:
        raise ValueError(f"tensors outside any submodule of {plan.name}: {sorted(groups)}")


def _torch_order(entries: list[_Entry], start: int) -> Iterator[_Entry]:
    """A library module's entries as `state_dict()` lists them: its own parameters, its
    own buffers, then each child's (in the order the rule names them: the order torch
    registers them). `start`: where the key relative to this module begins."""
    own = [e for e in entries if "." not in e.key[start:]]
    yield from (e for e in own if not e.buffer)
    yield from (e for e in own if e.buffer)
    children: dict[str, list[_Entry]] = {}
    for entry in entries:
        if "." in entry.key[start:]:
            children.setdefault(_head(entry.key[start:]), []).append(entry)
    for child, inside in children.items():
        yield from _torch_order(inside, start + len(child) + 1)


def _head(key: str) -> str:
    return key.split(".", 1)[0]


def _as_dtype(array: np.ndarray, dtype: str) -> np.ndarray:
    """As `torch.as_tensor(array, dtype=...)` converts it (round to nearest; integers
    truncated), little-endian and C-contiguous as torch.save writes it."""
    return np.asarray(array, dtype=np.dtype(dtype).newbyteorder("<"), order="C")  # ascontiguousarray makes 0-d 1-d
