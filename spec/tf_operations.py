"""tf.keras 2's TFOpLambda (and SlicingOpLambda) layers read as the Keras 3 operations they compute.

tf.keras 2 recorded a TensorFlow function called on a Keras tensor in a functional model
(`x + 3.0`, `x * y`, `tf.nn.relu(x)`) as a TFOpLambda layer: the function's name in
TensorFlow's API (`__operators__.add`, `math.multiply`) and its arguments, the first
one as the layer's input, the others by their parameter names in its kwargs. A name is
data, not code: the functions below (element-wise arithmetic and activations, reductions,
concat, reshape, transpose, softmax) are read as the Keras 3 operation of the same meaning,
as Keras 3 itself records the same code (`x + 3.0`); any other is refused by name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TFFunction:
    """How a TensorFlow function's arguments become a Keras 3 operation's."""

    module: str
    """The Keras 3 module's last part (numpy, nn)."""
    operation: str
    """The operation's class in it."""
    arguments: tuple[str, ...]
    """TensorFlow's parameters that are Keras's call arguments, in order (the first: the input)."""
    config: tuple[tuple[str, str], ...] = ()
    """TensorFlow's parameters that are Keras's config fields: (TensorFlow name, Keras name)."""
    listed: bool = False
    """The first argument is a list of tensors (tf.concat's values)."""


def _binary(operation: str) -> TFFunction:
    return TFFunction("numpy", operation, ("x", "y"))


def _unary(module: str, operation: str, parameter: str = "x") -> TFFunction:
    return TFFunction(module, operation, (parameter,))


def _reduce(operation: str) -> TFFunction:
    return TFFunction("numpy", operation, ("input_tensor",), (("axis", "axis"), ("keepdims", "keepdims")))


TF_FUNCTIONS: dict[str, TFFunction] = {
    "__operators__.add": _binary("Add"),
    "math.add": _binary("Add"),
    "math.subtract": _binary("Subtract"),
    "math.multiply": _binary("Multiply"),
    "math.truediv": _binary("TrueDivide"),
    "math.divide": _binary("TrueDivide"),
    "math.maximum": _binary("Maximum"),
    "math.minimum": _binary("Minimum"),
    "math.pow": _binary("Power"),
    "math.negative": _unary("numpy", "Negative"),
    "math.abs": _unary("numpy", "Absolute"),
    "math.exp": _unary("numpy", "Exp"),
    "math.log": _unary("numpy", "Log"),
    "math.sqrt": _unary("numpy", "Sqrt"),
    "math.square": _unary("numpy", "Square"),
    "math.tanh": _unary("numpy", "Tanh"),
    "math.sigmoid": _unary("nn", "Sigmoid"),
    "nn.relu": _unary("nn", "Relu", "features"),
    "nn.relu6": _unary("nn", "Relu6", "features"),
    "nn.silu": _unary("nn", "Silu", "features"),
    "nn.softplus": _unary("nn", "Softplus", "features"),
    "nn.softmax": TFFunction("nn", "Softmax", ("logits",), (("axis", "axis"),)),
    "math.reduce_mean": _reduce("Mean"),
    "math.reduce_sum": _reduce("Sum"),
    "math.reduce_max": _reduce("Max"),
    "concat": TFFunction("numpy", "Concatenate", ("values",), (("axis", "axis"),), listed=True),
    "reshape": TFFunction("numpy", "Reshape", ("tensor",), (("shape", "newshape"),)),
    "compat.v1.transpose": TFFunction("numpy", "Transpose", ("a",), (("perm", "axes"),)),
    "transpose": TFFunction("numpy", "Transpose", ("a",), (("perm", "axes"),)),
    "expand_dims": TFFunction("numpy", "ExpandDims", ("input",), (("axis", "axis"),)),
    "__operators__.getitem": TFFunction("numpy", "GetItem", ("tensor", "slice_spec")),  # x[:, -1] (SlicingOpLambda)
}
"""Functions whose arguments mean the same in TensorFlow and Keras 3 (an axis, a shape with
its batch dimension, a permutation), by TensorFlow's names for them."""

IGNORED = ("name",)
"""TensorFlow arguments with no effect on the values (the op's name in the TF graph)."""
NEUTRAL = {"conjugate": False}
"""TensorFlow arguments that change nothing at these values (transpose's conjugate, on real numbers)."""


class TFOpRefused(ValueError):
    """A TFOpLambda that has no Keras 3 operation here, with the reason."""


def keras3_operation(doc: dict[str, Any], renumbered: Callable[[list[Any]], list[Any]]) -> dict[str, Any]:
    """The TFOpLambda entry `doc` as a Keras 3 operation node, its tensor references
    passed through `renumbered` (tf.keras's numbering of a nested model's calls)."""
    config = doc.get("config") if isinstance(doc.get("config"), dict) else {}
    function = config.get("function")
    if not isinstance(function, str) or function not in TF_FUNCTIONS:
        raise TFOpRefused(f"TensorFlow function {function!r} has no Keras 3 operation nnspec reads")
    known = TF_FUNCTIONS[function]
    nodes = doc.get("inbound_nodes")
    if not isinstance(nodes, list) or not nodes:
        raise TFOpRefused("it has no call (inbound_nodes) nnspec can read")
    calls = [_call(node, known, renumbered) for node in nodes]
    name = config.get("name", doc.get("name"))
    settings = [fields for _, fields in calls]
    if any(fields != settings[0] for fields in settings):
        raise TFOpRefused("its calls differ in their constant arguments")
    return {
        "module": f"keras.src.ops.{known.module}",
        "class_name": known.operation,
        "config": {"name": name, **settings[0]},
        "name": name,
        "inbound_nodes": [call for call, _ in calls],
    }


def _call(
    node: Any, known: TFFunction, renumbered: Callable[[list[Any]], list[Any]]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """[[layer, node, tensor, kwargs], ...] (the first argument's tensors; the kwargs hold
    the other arguments by name) as Keras 3's {args, kwargs}, and the config fields set."""
    refs = [node] if isinstance(node, list) and node and isinstance(node[0], str) else node
    if not isinstance(refs, list) or not refs or not all(_is_ref(ref) for ref in refs):
        raise TFOpRefused("a call nnspec cannot read (its first argument is no tensor)")
    if len(refs) != 1 and not known.listed:
        raise TFOpRefused("a call on several tensors where the function takes one")
    given = refs[0][3] if len(refs[0]) > 3 else {}
    kwargs = {k: v for k, v in given.items() if k not in IGNORED and not (k in NEUTRAL and v == NEUTRAL[k])}
    tensors = [_tensor(renumbered(ref[:3])) for ref in refs]
    args: list[Any] = [tensors if known.listed else tensors[0]]
    for parameter in known.arguments[1:]:
        if parameter not in kwargs:
            raise TFOpRefused(f"its argument {parameter!r} is missing")
        value = kwargs.pop(parameter)
        args.append(_tensor(renumbered(value[:3])) if _is_ref(value) else _keras3_value(value))
    fields = {keras: kwargs.pop(tf) for tf, keras in known.config if tf in kwargs}
    if kwargs:
        raise TFOpRefused(f"arguments nnspec does not read: {', '.join(sorted(kwargs))}")
    return {"args": args, "kwargs": {}}, fields


def _keras3_value(value: Any) -> Any:
    """A constant argument as Keras 3 serialises it: tf.keras wrote a slice as {start, stop,
    step}, Keras 3 as a `__slice__` object (an ellipsis both write alike)."""
    if isinstance(value, list):
        return [_keras3_value(v) for v in value]
    if isinstance(value, dict) and set(value) == {"start", "stop", "step"}:
        return {"class_name": "__slice__", "config": dict(value)}
    return value


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
