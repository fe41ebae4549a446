"""tf.keras 2's TFOpLambda layers read as the Keras 3 operations they compute.

tf.keras 2 recorded a TensorFlow function called on a Keras tensor in a functional model
(`x + 3.0`, `x * y`, `tf.nn.relu(x)`) as a TFOpLambda layer: the function's name in
TensorFlow's API (`__operators__.add`, `math.multiply`) and its arguments, the first
one as the layer's input, the others by their parameter names in its kwargs. A name is
data, not code: the element-wise functions below are read as the Keras 3 operation of
the same meaning (as Keras 3 itself records `x + 3.0`); any other is refused by name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

TF_FUNCTIONS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    # TensorFlow function: (Keras 3 module, operation class, TensorFlow's parameters in order)
    "__operators__.add": ("numpy", "Add", ("x", "y")),
    "math.add": ("numpy", "Add", ("x", "y")),
    "math.subtract": ("numpy", "Subtract", ("x", "y")),
    "math.multiply": ("numpy", "Multiply", ("x", "y")),
    "math.truediv": ("numpy", "TrueDivide", ("x", "y")),
    "math.divide": ("numpy", "TrueDivide", ("x", "y")),
    "math.maximum": ("numpy", "Maximum", ("x", "y")),
    "math.minimum": ("numpy", "Minimum", ("x", "y")),
    "math.pow": ("numpy", "Power", ("x", "y")),
    "math.negative": ("numpy", "Negative", ("x",)),
    "math.abs": ("numpy", "Absolute", ("x",)),
    "math.exp": ("numpy", "Exp", ("x",)),
    "math.log": ("numpy", "Log", ("x",)),
    "math.sqrt": ("numpy", "Sqrt", ("x",)),
    "math.square": ("numpy", "Square", ("x",)),
    "math.tanh": ("numpy", "Tanh", ("x",)),
    "math.sigmoid": ("nn", "Sigmoid", ("x",)),
    "nn.relu": ("nn", "Relu", ("features",)),
    "nn.relu6": ("nn", "Relu6", ("features",)),
    "nn.silu": ("nn", "Silu", ("features",)),
    "nn.softplus": ("nn", "Softplus", ("features",)),
}
"""Element-wise functions only: their arguments mean the same in TensorFlow and Keras 3."""

IGNORED = ("name",)
"""TensorFlow arguments with no effect on the values (the op's name in the TF graph)."""


class TFOpRefused(ValueError):
    """A TFOpLambda that has no Keras 3 operation here, with the reason."""


def keras3_operation(doc: dict[str, Any], renumbered: Callable[[list[Any]], list[Any]]) -> dict[str, Any]:
    """The TFOpLambda entry `doc` as a Keras 3 operation node, its tensor references
    passed through `renumbered` (tf.keras's numbering of a nested model's calls)."""
    config = doc.get("config") if isinstance(doc.get("config"), dict) else {}
    function = config.get("function")
    if function not in TF_FUNCTIONS:
        raise TFOpRefused(f"TensorFlow function {function!r} has no Keras 3 operation nnspec reads")
    module, class_name, parameters = TF_FUNCTIONS[function]
    nodes = doc.get("inbound_nodes") if isinstance(doc.get("inbound_nodes"), list) else []
    calls = [_call(node, parameters, renumbered) for node in nodes]
    name = config.get("name", doc.get("name"))
    return {
        "module": f"keras.src.ops.{module}",
        "class_name": class_name,
        "config": {"name": name},
        "name": name,
        "inbound_nodes": calls,
    }


def _call(node: Any, parameters: tuple[str, ...], renumbered: Callable[[list[Any]], list[Any]]) -> dict[str, Any]:
    """[[layer, node, tensor, kwargs]] (one first argument; the kwargs hold the others by
    name) as Keras 3's {args, kwargs}."""
    refs = [node] if isinstance(node, list) and node and isinstance(node[0], str) else node
    if not isinstance(refs, list) or len(refs) != 1 or not _is_ref(refs[0]):
        raise TFOpRefused("a call on other than one tensor first (a list of tensors, or a constant)")
    first = refs[0]
    kwargs = {k: v for k, v in (first[3] if len(first) > 3 else {}).items() if k not in IGNORED}
    args = [_tensor(renumbered(first[:3]))]
    for parameter in parameters[1:]:
        if parameter not in kwargs:
            raise TFOpRefused(f"its argument {parameter!r} is missing")
        value = kwargs.pop(parameter)
        args.append(_tensor(renumbered(value[:3])) if isinstance(value, list) and _is_ref(value) else value)
    if kwargs:
        raise TFOpRefused(f"arguments nnspec does not read: {', '.join(sorted(kwargs))}")
    return {"args": args, "kwargs": {}}


def _is_ref(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) in (3, 4)
        and isinstance(value[0], str)
        and isinstance(value[1], int)
        and isinstance(value[2], int)
        and (len(value) == 3 or isinstance(value[3], dict))
    )


def _tensor(ref: list[Any]) -> dict[str, Any]:
    return {"class_name": "__keras_tensor__", "config": {"keras_history": ref}}
