"""Keras 3 operation nodes (`x + y`, `ops.mean(x, axis=1)` in a functional model) read
into canonical entries: class_name `ops.<function>`, Keras's config plus the constants of
each call, inbound nodes of tensor references only. A part of the normaliser, loaded only
for a document that holds such a node (it loads the operations family)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from .base import snake_case, tidy_float
from .errors import PathPart
from .layers.operations import (
    CONSTANT_DTYPES,
    ELLIPSIS,
    OPERATIONS,
    UNSUPPORTED_OPERATIONS,
    OperationConfig,
    OperationError,
    Slice,
    Tensor,
)

Loc = tuple[PathPart, ...]


class Reader(Protocol):
    """What of the normaliser's walk reading a node needs."""

    machine_written: bool

    def refuse(self, loc: Loc, message: str, **details: str | None) -> None: ...


_OPERATION_HINT = "use a layer instead (keras.layers.Add, Concatenate, Activation, Reshape, ...)"


def read_operation(
    reader: Reader, doc: dict[str, Any], kind: Any, loc: Loc, fresh: Callable[[str], str]
) -> dict[str, Any]:
    """An operation node as a canonical entry; what cannot be read is refused at `loc`."""
    module = doc["module"]
    config = doc.get("config")
    config = dict(config) if isinstance(config, dict) else {}
    name = doc.get("name") if isinstance(doc.get("name"), str) else config.get("name")
    config["name"] = name if isinstance(name, str) else fresh(snake_case(str(kind)))
    nodes = doc.get("inbound_nodes") if isinstance(doc.get("inbound_nodes"), list) else []
    cls = OPERATIONS.get((module, kind)) if isinstance(kind, str) else None
    if cls is None:
        reader.refuse(
            (*loc, "class_name"),
            f"keras.ops call {kind!r} (module {module}) is not supported by nnspec",
            received=repr(kind),
            hint=UNSUPPORTED_OPERATIONS.get(str(kind), _OPERATION_HINT),
        )
        return {"class_name": kind, "config": config, "inbound_nodes": [_node_refs(n) for n in nodes]}
    config = _operation_config(cls, config, reader.machine_written)
    canonical = []
    for index, node in enumerate(nodes):
        try:
            fields, inputs = _operation_call(cls, node)
        except OperationError as exc:  # at the entry: what its config then lacks is no other problem
            reader.refuse(loc, f"{cls.kind} {exc}", received=f"call {index}")
            canonical.append(_node_refs(node))
            continue
        if index and {k: config.get(k) for k in fields} != fields:
            reader.refuse(loc, f"{cls.kind} is called again with other constants", received=f"call {index}")
        config.update(fields)
        canonical.append({"inputs": inputs})
    return {"class_name": cls.kind, "config": config, "inbound_nodes": canonical}


def _operation_config(cls: type[OperationConfig], config: dict[str, Any], machine_written: bool) -> dict[str, Any]:
    if config.get("dtype", "") is None and "dtype" in cls.keras_fields and "dtype" in cls.model_fields:
        default = cls.model_fields["dtype"].default
        if default is not None and not cls.model_fields["dtype"].is_required():
            del config["dtype"]  # Keras's null: the input's dtype (or floatx), float32 in nnspec
    if machine_written:
        config = {k: tidy_float(v) if isinstance(v, float) else v for k, v in config.items()}
    return config


def _operation_call(cls: type[OperationConfig], node: Any) -> tuple[dict[str, Any], Any]:
    """A Keras 3 call of an operation: the config fields its constants set, and its
    tensors as canonical inputs (one reference, or a list)."""
    if not isinstance(node, dict) or not isinstance(node.get("args"), list):
        raise OperationError("has a call nnspec cannot read (expected args and kwargs)")
    refs: list[list[Any]] = []
    args = _operation_value(node["args"], refs)
    kwargs = _operation_value(node.get("kwargs") or {}, refs)
    if not isinstance(kwargs, dict):
        raise OperationError("has a call nnspec cannot read (kwargs is not a mapping)")
    fields, tensors, listed = cls.read_arguments(args, kwargs)
    inputs = [refs[t.index] for t in tensors]
    return fields, inputs if listed or len(inputs) != 1 else inputs[0]


def _operation_value(value: Any, refs: list[list[Any]]) -> Any:
    """Keras 3's serialised arguments as values: a tensor becomes a `Tensor` mark (its
    reference kept in `refs`), an array an ArrayConstant's fields, a slice a `Slice`."""
    if isinstance(value, list):
        return [_operation_value(v, refs) for v in value]
    if not isinstance(value, dict):
        return tidy_float(value) if isinstance(value, float) else value
    kind, config = value.get("class_name"), value.get("config")
    config = config if isinstance(config, dict) else {}
    if kind == "__keras_tensor__":
        history = config.get("keras_history")
        if not isinstance(history, list) or len(history) < 3:
            raise OperationError("has a tensor argument without its keras_history")
        refs.append(list(history[:3]))
        return Tensor(len(refs) - 1)
    if kind in ("__numpy__", "__tensor__"):
        dtype = config.get("dtype")
        if dtype not in CONSTANT_DTYPES:
            raise OperationError(
                f"has a {dtype} array constant; nnspec computes float32 (a float64 constant makes Keras compute "
                "in float64): make it float32"
            )
        return {"value": _tidy_nested(config.get("value")), "dtype": dtype}
    if kind == "__slice__":
        return Slice(config.get("start"), config.get("stop"), config.get("step"))
    if kind == "__ellipsis__":
        return ELLIPSIS
    if kind is None:
        return {k: _operation_value(v, refs) for k, v in value.items()}
    raise OperationError(f"has an argument nnspec cannot read ({kind!r})")


def _tidy_nested(value: Any) -> Any:
    if isinstance(value, list):
        return [_tidy_nested(v) for v in value]
    return tidy_float(value) if isinstance(value, float) else value


def _node_refs(node: Any) -> dict[str, Any]:
    """The tensors of a call nnspec cannot read, so that the rest of the graph can be checked."""
    refs: list[list[Any]] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
            history = (value.get("config") or {}).get("keras_history")
            if isinstance(history, list) and len(history) >= 3:
                refs.append(list(history[:3]))
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(node)
    return {"inputs": refs[0] if len(refs) == 1 else refs}
