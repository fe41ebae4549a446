"""Keras 3 operation nodes: `x + y`, `ops.mean(x, axis=1)`, `x[:, 1:3]`, `ops.relu(x)`
called on symbolic tensors inside a functional model.

Keras 3 records such a call as a node whose class is the operation (`Add`, module
`keras.src.ops.numpy`). nnspec names it by the `keras.ops` function a person writes
(`ops.add`, `ops.mean`, `activations.relu`), so that it never collides with a layer's
class_name. Constants among the arguments (`x * 2.0`, `2.0 - x`, a small NumPy array)
live in the entry's config (`operands: [null, 2.0]`, null where a tensor goes), because
inbound nodes hold only tensor references.

Shapes follow Keras (NumPy broadcasting, reductions, slicing) with one rule of nnspec's:
the batch axis stays the first axis of every value, so an operation that would reduce,
index, move or resize it is refused with the reason. Operations hold no weights."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal, Union

from pydantic import AllowInfNan, BeforeValidator, Strict, field_validator, model_validator
from pydantic_core import PydanticCustomError

from ..base import DTypeName, Int, SpecModel, unsupported
from .base import LayerConfig, Shape, ShapeError, layer_kind, product, resolve_axis, show

Float = Annotated[float, Strict(), AllowInfNan(True)]
"""A constant of a computation: -inf and inf are meaningful there (`where(mask, x, -inf)`)."""
Scalar = Union[Int, Float]  # noqa: UP007
Axes = Union[Int, list[Int]]  # noqa: UP007

CONSTANT_DTYPES = ("float32", "int32", "int64")
"""Array constants nnspec takes: float32 keeps the result float32, as an int array does."""


class ArrayConstant(SpecModel):
    """A NumPy array or tensor given as an argument (Keras writes `__numpy__` / `__tensor__`)."""

    value: Any
    """Nested lists of numbers (or one number, for a 0-d array)."""
    dtype: Literal["float32", "int32", "int64"] = "float32"

    @field_validator("value")
    @classmethod
    def _rectangular(cls, value: Any) -> Any:
        array_shape(value)
        return value

    @property
    def shape(self) -> tuple[int, ...]:
        return array_shape(self.value)


def array_shape(value: Any) -> tuple[int, ...]:
    """The shape of nested lists of numbers; ValueError if they are ragged or not numbers."""
    if isinstance(value, bool) or not isinstance(value, int | float | list):
        raise ValueError("an array constant holds numbers in nested lists")
    if not isinstance(value, list):
        return ()
    shapes = {array_shape(v) for v in value}
    if len(shapes) > 1:
        raise ValueError("an array constant must be rectangular (every row of one length)")
    return (len(value), *(shapes.pop() if shapes else ()))


Operand = Union[Int, Float, ArrayConstant, None]  # noqa: UP007
"""A positional argument: null where the next tensor of the call goes, else a constant."""


@dataclass(frozen=True)
class Slice:
    """One `start:stop:step` of a GetItem key."""

    start: int | None = None
    stop: int | None = None
    step: int | None = None

    def text(self) -> str:
        parts = ["" if v is None else str(v) for v in (self.start, self.stop, self.step)]
        return ":".join(parts[:2]) + (f":{parts[2]}" if self.step is not None else "")

    def indices(self, size: int) -> range:
        return range(size)[slice(self.start, self.stop, self.step)]

    def length(self, size: int) -> int:
        """len(self.indices(size)), for any size: len() of a range past 2**63 overflows."""
        start, stop, step = slice(self.start, self.stop, self.step).indices(size)
        return max(0, (stop - start + step - (1 if step > 0 else -1)) // step)


ELLIPSIS = "..."
_SLICE = re.compile(r"^\s*(-?\d+)?\s*:\s*(-?\d+)?\s*(?::\s*(-?\d+)?\s*)?$")


def parse_slice(text: str) -> Slice:
    match = _SLICE.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a slice: write start:stop:step, any part left out, or '...'")
    start, stop, step = (None if g is None else int(g) for g in match.groups())
    if step == 0:
        raise ValueError("a slice step cannot be 0")
    return Slice(start, stop, step)


KeyItem = Union[Int, str, None]  # noqa: UP007
"""An integer, a slice written 'start:stop:step' (any part left out), '...', or null (a new axis)."""


@dataclass(frozen=True)
class Tensor:
    """Stands for the i-th tensor of a call where an operation lists its Keras arguments."""

    index: int


def supported_only(choices: Sequence[Any], reason: str) -> BeforeValidator:
    """A Keras field of several values of which nnspec honours `choices` (`unsupported`
    for more than one accepted value)."""

    def check(value: Any) -> Any:
        if value not in choices:
            raise PydanticCustomError(
                "nnspec_unsupported",
                "{reason}; only {default} is supported, received {value}",
                {"reason": reason, "default": " or ".join(map(repr, choices)), "value": repr(value)[:60]},
            )
        return value

    return BeforeValidator(check)


class OperationError(ValueError):
    """A Keras call nnspec cannot read (a tensor where it takes a constant, an unknown keyword)."""


# -- the base ------------------------------------------------------------------------


class OperationConfig(LayerConfig):
    """A Keras 3 operation. `keras_class` / `keras_module` say how Keras 3 writes it,
    `keras_fields` which config fields Keras's own config holds (in its order);
    `keras_arguments` / `read_arguments` how its call's arguments are laid out."""

    operation: ClassVar[bool] = True
    keras_class: ClassVar[str]
    keras_module: ClassVar[str]
    keras_fields: ClassVar[tuple[str, ...]] = ()
    formula: ClassVar[str] = ""

    trainable: Annotated[bool, unsupported("an operation has no weights to freeze", True)] = True
    dtype: Annotated[  # type: ignore[assignment]
        DTypeName, unsupported("an operation has no dtype policy; it computes in its inputs' dtype", "float32")
    ] = "float32"
    activity_regularizer: Annotated[  # type: ignore[assignment]
        Any, unsupported("an operation takes no activity regularizer", None)
    ] = None

    @property
    def function(self) -> str:
        """The Keras function a person calls: 'keras.ops.add'."""
        return "keras." + self.kind

    def keras_config(self) -> dict[str, Any]:
        """The operation's config as Keras 3 writes it."""
        data = self.model_dump(mode="json")
        return {"name": self.name, **{key: data[key] for key in self.keras_fields}}

    def keras_arguments(self, count: int) -> tuple[list[Any], dict[str, Any]]:
        """The Keras call's positional and keyword arguments, with `Tensor(i)` where the
        call's i-th tensor goes and constants (numbers, `ArrayConstant`, GetItem's key)
        in place."""
        return [Tensor(i) for i in range(count)], {}

    @classmethod
    def read_arguments(cls, args: list[Any], kwargs: dict[str, Any]) -> tuple[dict[str, Any], list[Any], bool]:
        """From a Keras call's arguments (tensors already replaced by `Tensor` marks, in
        the order they appear): the config fields they set, the tensors, and whether the
        call takes them as a list. Raises OperationError for what nnspec cannot read."""
        if kwargs:
            raise OperationError(f"keyword arguments {sorted(kwargs)} are not supported")
        if len(args) != 1 or not isinstance(args[0], Tensor):
            raise OperationError(f"takes one tensor, received {len(args)} argument(s)")
        return {}, args, False

    def tensors(self, inputs: Sequence[Shape], count: int) -> None:
        if len(inputs) != count:
            raise ShapeError(f"{self.kind} takes {count} tensor(s), got {len(inputs)}")


def operation(kind: str, keras_class: str, module: str = "numpy", aliases: Sequence[str] = ()):
    """Register an operation: its nnspec kind, Keras 3's class and module (a short name
    is under keras.src.ops)."""

    def register(cls: type[OperationConfig]) -> type[OperationConfig]:
        layer_kind(kind)(cls)
        cls.keras_class = keras_class
        cls.keras_module = module if "." in module else f"keras.src.ops.{module}"
        for name in (keras_class, *aliases):
            OPERATIONS[(cls.keras_module, name)] = cls
        return cls

    return register


OPERATIONS: dict[tuple[str, str], type[OperationConfig]] = {}
"""(Keras module, Keras class) -> the operation's config class."""

UNSUPPORTED_OPERATIONS: dict[str, str] = {
    "Split": "it has several outputs; slice the parts with x[:, a:b] instead",
    "Unstack": "it has several outputs; take each part with x[:, i] instead",
    "TopK": "it has several outputs (values and indices)",
    "Moments": "it has several outputs; compute ops.mean and ops.var instead",
    "Shape": "shapes are static in nnspec; write the sizes out",
}
"""Hints for Keras operations nnspec refuses, by Keras class."""


# -- element-wise, one tensor ---------------------------------------------------------


class ElementwiseOp(OperationConfig):
    """Value by value: the output has the input's shape."""

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        self.tensors(inputs, 1)
        return inputs[0]


UNARY: list[tuple[str, str, str, str]] = [
    # (kind, Keras class, module, what it computes)
    ("ops.negative", "Negative", "numpy", "-x"),
    ("ops.absolute", "Absolute", "numpy", "|x|"),
    ("ops.square", "Square", "numpy", "x * x"),
    ("ops.sqrt", "Sqrt", "numpy", "sqrt(x)"),
    ("ops.rsqrt", "Rsqrt", "math", "1 / sqrt(x)"),
    ("ops.exp", "Exp", "numpy", "exp(x)"),
    ("ops.expm1", "Expm1", "numpy", "exp(x) - 1"),
    ("ops.log", "Log", "numpy", "log(x)"),
    ("ops.log1p", "Log1p", "numpy", "log(1 + x)"),
    ("ops.reciprocal", "Reciprocal", "numpy", "1 / x"),
    ("ops.sin", "Sin", "numpy", "sin(x)"),
    ("ops.cos", "Cos", "numpy", "cos(x)"),
    ("ops.tanh", "Tanh", "numpy", "tanh(x)"),
    ("ops.erf", "Erf", "math", "erf(x)"),
    ("ops.floor", "Floor", "numpy", "floor(x)"),
    ("ops.ceil", "Ceil", "numpy", "ceil(x)"),
    ("ops.sign", "Sign", "numpy", "-1, 0 or 1"),
    ("ops.logical_not", "LogicalNot", "numpy", "not x"),
    ("ops.relu", "Relu", "nn", "max(x, 0)"),
    ("ops.relu6", "Relu6", "nn", "min(max(x, 0), 6)"),
    ("ops.sigmoid", "Sigmoid", "nn", "1 / (1 + exp(-x))"),
    ("ops.softplus", "Softplus", "nn", "log(1 + exp(x))"),
    ("ops.softsign", "Softsign", "nn", "x / (1 + |x|)"),
    ("ops.silu", "Silu", "nn", "x * sigmoid(x)"),
    ("ops.selu", "Selu", "nn", "scale * elu(x, alpha), Klambauer's constants"),
    ("ops.log_sigmoid", "LogSigmoid", "nn", "log(sigmoid(x))"),
    ("ops.hard_sigmoid", "HardSigmoid", "nn", "relu6(x + 3) / 6"),
    ("ops.hard_silu", "HardSilu", "nn", "x * relu6(x + 3) / 6"),
]

for _kind, _class, _module, _formula in UNARY:
    operation(_kind, _class, _module, aliases=("Abs",) if _class == "Absolute" else ())(
        type(f"{_class}Config", (ElementwiseOp,), {"__doc__": f"`{_kind}(x)`: {_formula}.", "formula": _formula})
    )


@operation("ops.leaky_relu", "LeakyRelu", "nn")
class LeakyReluConfig(ElementwiseOp):
    """x if x > 0 else negative_slope * x."""

    keras_fields = ("negative_slope",)
    negative_slope: float = 0.2


@operation("ops.elu", "Elu", "nn")
class EluConfig(ElementwiseOp):
    """x if x > 0 else alpha * (exp(x) - 1)."""

    keras_fields = ("alpha",)
    alpha: float = 1.0


@operation("ops.celu", "Celu", "nn")
class CeluConfig(ElementwiseOp):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""

    keras_fields = ("alpha",)
    alpha: float = 1.0


@operation("ops.gelu", "Gelu", "nn")
class GeluConfig(ElementwiseOp):
    """x * Phi(x); `ops.gelu` is the tanh approximation by default (activations.gelu is not)."""

    keras_fields = ("approximate",)
    approximate: bool = True


@operation("activations.relu", "ReLU", "keras.src.activations.activations")
class ActivationReluConfig(ElementwiseOp):
    """`keras.activations.relu(x, negative_slope, max_value, threshold)`: x above the
    threshold (else 0), capped at max_value, minus negative_slope * relu(threshold - x)."""

    keras_fields = ("negative_slope", "max_value", "threshold")
    negative_slope: float = 0.0
    max_value: float | None = None
    threshold: float = 0.0


@operation("ops.clip", "Clip")
class ClipConfig(ElementwiseOp):
    """x held between x_min and x_max."""

    keras_fields = ("x_min", "x_max")
    x_min: Scalar
    x_max: Scalar


@operation("ops.round", "Round")
class RoundConfig(ElementwiseOp):
    """x rounded half to even, to `decimals` decimal places."""

    keras_fields = ("decimals",)
    decimals: Int = 0


@operation("ops.cast", "Cast", "core")
class CastConfig(ElementwiseOp):
    """x in another dtype."""

    keras_fields = ("dtype",)
    dtype: DTypeName  # type: ignore[assignment]


@operation("ops.convert_to_tensor", "ConvertToTensor", "core")
class ConvertToTensorConfig(ElementwiseOp):
    """x as it is: Keras 3 writes an Attention layer's output mask with it."""

    keras_fields = ("dtype", "sparse", "ragged")
    dtype: Annotated[DTypeName | None, unsupported("a conversion to another dtype is not supported", None)] = None  # type: ignore[assignment]
    sparse: Annotated[bool | None, unsupported("sparse tensors are not supported", None)] = None
    ragged: Annotated[bool | None, unsupported("ragged tensors are not supported", None)] = None


class SoftmaxOp(ElementwiseOp):
    """Over one axis: a list of axes fails in Keras's own functional models (its
    TensorFlow backend takes one axis)."""

    keras_fields = ("axis",)
    axis: Int = -1

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        out = super().output_shape(inputs)
        resolve_axis(self.axis, len(out), f"{self.kind} axis")
        return out


@operation("ops.softmax", "Softmax", "nn")
class SoftmaxConfig(SoftmaxOp):
    """exp(x) / sum(exp(x)) over `axis`."""


@operation("ops.log_softmax", "LogSoftmax", "nn")
class LogSoftmaxConfig(SoftmaxOp):
    """x - logsumexp(x) over `axis`."""


class LikeOp(ElementwiseOp):
    """A new tensor of x's shape. Keras's dtype null means x's dtype: float32 for the
    values nnspec computes, so it is read as float32."""

    keras_fields = ("dtype",)
    dtype: Annotated[  # type: ignore[assignment]
        DTypeName, unsupported("nnspec computes float32 values; the result's dtype must be float32", "float32")
    ] = "float32"

    def keras_config(self) -> dict[str, Any]:
        return {**super().keras_config(), "dtype": None}  # Keras's null: x's dtype


@operation("ops.ones_like", "OnesLike")
class OnesLikeConfig(LikeOp):
    """Ones shaped like x."""


@operation("ops.zeros_like", "ZerosLike")
class ZerosLikeConfig(LikeOp):
    """Zeros shaped like x."""


@operation("ops.full_like", "FullLike")
class FullLikeConfig(LikeOp):
    """`fill_value` everywhere, shaped like x."""

    fill_value: Scalar

    def keras_arguments(self, count: int) -> tuple[list[Any], dict[str, Any]]:
        return [Tensor(0), self.fill_value], {}

    @classmethod
    def read_arguments(cls, args: list[Any], kwargs: dict[str, Any]) -> tuple[dict[str, Any], list[Any], bool]:
        if kwargs or len(args) != 2 or not isinstance(args[0], Tensor) or isinstance(args[1], Tensor):
            raise OperationError("takes a tensor and a number (fill_value)")
        return {"fill_value": args[1]}, args[:1], False


# -- element-wise, several operands ---------------------------------------------------


class OperandsOp(OperationConfig):
    """Positional operands, each a tensor or a constant, broadcast like NumPy."""

    arity: ClassVar[int | None] = 2
    operands: tuple[Operand, ...] | None = None
    """One per positional argument: null where the next tensor goes, else a constant.
    Left out: every argument is a tensor."""

    @model_validator(mode="after")
    def _arity(self) -> OperandsOp:
        if self.operands is not None and self.arity is not None and len(self.operands) != self.arity:
            raise ValueError(f"{self.kind} takes {self.arity} operands, got {len(self.operands)}")
        return self

    def slots(self, count: int) -> tuple[Operand, ...]:
        """Every operand, None where a tensor goes (`count` tensors when unspecified)."""
        if self.operands is not None:
            return self.operands
        return (None,) * (self.arity if self.arity is not None else count)

    def operand_shapes(self, inputs: Sequence[Shape]) -> list[tuple[Shape, bool]]:
        """(shape, is a tensor) per operand, constants' shapes without a batch axis."""
        slots = self.slots(len(inputs))
        holes = sum(o is None for o in slots)
        if holes != len(inputs):
            raise ShapeError(f"{self.kind} has {holes} tensor operand(s) but is called on {len(inputs)} tensor(s)")
        tensors = iter(inputs)
        return [(next(tensors), True) if o is None else (constant_shape(o), False) for o in slots]

    def keras_arguments(self, count: int) -> tuple[list[Any], dict[str, Any]]:
        tensors = iter(range(count))
        return [Tensor(next(tensors)) if o is None else o for o in self.slots(count)], {}

    @classmethod
    def read_arguments(cls, args: list[Any], kwargs: dict[str, Any]) -> tuple[dict[str, Any], list[Any], bool]:
        if kwargs:
            raise OperationError(f"keyword arguments {sorted(kwargs)} are not supported")
        tensors = [a for a in args if isinstance(a, Tensor)]
        if not tensors:
            raise OperationError("is called on constants only")
        constants = [a for a in args if not isinstance(a, Tensor)]
        fields = {"operands": [None if isinstance(a, Tensor) else a for a in args]} if constants else {}
        if not constants and cls.arity is not None and len(args) != cls.arity:
            raise OperationError(f"takes {cls.arity} arguments, received {len(args)}")
        return fields, tensors, False

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        return broadcast(self.operand_shapes(inputs), self.kind)


def constant_shape(value: Any) -> tuple[int, ...]:
    return value.shape if isinstance(value, ArrayConstant) else ()


def broadcast(operands: Sequence[tuple[Shape, bool]], kind: str) -> Shape:
    """NumPy broadcasting (the last axes aligned), with the batch axis kept first: every
    tensor operand has the result's rank, and a constant of that rank has 1 there."""
    rank = max(len(s) for s, tensor in operands if tensor)
    for shape, tensor in operands:
        if tensor and len(shape) != rank:
            raise ShapeError(
                f"{kind} broadcasts like NumPy, aligning the last axes: a tensor of shape {show(shape)} against one "
                f"of rank {rank} would align the batch axis with another axis; expand its dims first"
            )
        if not tensor and (len(shape) > rank or (len(shape) == rank and shape[0] != 1)):
            raise ShapeError(
                f"{kind}: a constant of shape {tuple(shape)} would set the batch axis of a value of rank {rank}"
            )
    out: list[int | None] = []
    for i in range(rank):
        dims = [s[i - rank + len(s)] for s, _ in operands if i - rank + len(s) >= 0]
        sizes = {d for d in dims if d is not None and d != 1}
        if len(sizes) > 1:
            shapes = ", ".join(show(s) if t else str(tuple(s)) for s, t in operands)
            raise ShapeError(f"{kind} cannot broadcast shapes {shapes} (axis {i} differs)")
        if sizes:
            out.append(sizes.pop())
        else:
            out.append(None if None in dims else 1)
    return tuple(out)


BINARY: list[tuple[str, str, str]] = [
    ("ops.add", "Add", "x1 + x2"),
    ("ops.subtract", "Subtract", "x1 - x2"),
    ("ops.multiply", "Multiply", "x1 * x2"),
    ("ops.divide", "Divide", "x1 / x2"),
    ("ops.true_divide", "TrueDivide", "x1 / x2 (Python's `/` on tensors)"),
    ("ops.power", "Power", "x1 ** x2"),
    ("ops.maximum", "Maximum", "the larger of x1 and x2"),
    ("ops.minimum", "Minimum", "the smaller of x1 and x2"),
    ("ops.mod", "Mod", "x1 % x2, with the sign of x2"),
    ("ops.floor_divide", "FloorDivide", "floor(x1 / x2)"),
    ("ops.greater", "Greater", "x1 > x2"),
    ("ops.greater_equal", "GreaterEqual", "x1 >= x2"),
    ("ops.less", "Less", "x1 < x2"),
    ("ops.less_equal", "LessEqual", "x1 <= x2"),
    ("ops.equal", "Equal", "x1 == x2"),
    ("ops.not_equal", "NotEqual", "x1 != x2"),
    ("ops.logical_and", "LogicalAnd", "x1 and x2"),
    ("ops.logical_or", "LogicalOr", "x1 or x2"),
]

for _kind, _class, _formula in BINARY:
    operation(_kind, _class)(
        type(f"{_class}Config", (OperandsOp,), {"__doc__": f"`{_kind}(x1, x2)`: {_formula}.", "formula": _formula})
    )


@operation("ops.where", "Where")
class WhereConfig(OperandsOp):
    """x1 where condition holds, else x2."""

    arity = 3


@operation("ops.matmul", "Matmul")
class MatmulConfig(OperandsOp):
    """The matrix product of the last two axes, the axes before broadcast (NumPy's matmul)."""

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        (a, a_tensor), (b, b_tensor) = self.operand_shapes(inputs)
        if not a or not b:
            raise ShapeError("ops.matmul of a scalar: NumPy's and Keras's matmul refuse it (use ops.multiply)")
        if (len(a) == 1 and a_tensor) or (len(b) == 1 and b_tensor):
            raise ShapeError("ops.matmul of a rank-1 tensor would contract or drop its batch axis")
        a2 = (1, *a) if len(a) == 1 else tuple(a)
        b2 = (*b, 1) if len(b) == 1 else tuple(b)
        if a2[-1] is not None and b2[-2] is not None and a2[-1] != b2[-2]:
            raise ShapeError(f"ops.matmul: {_describe(a, a_tensor)} @ {_describe(b, b_tensor)} do not fit")
        if b_tensor and len(b) == 2:
            raise ShapeError("ops.matmul with a rank-2 tensor on the right contracts its batch axis")
        stack = _matmul_stack(a2[:-2], a_tensor, b2[:-2], b_tensor)
        out = (*stack, a2[-2], b2[-1])
        if len(a) == 1:
            out = (*out[:-2], out[-1])
        if len(b) == 1:
            out = out[:-1]
        return out


def _matmul_stack(a: Shape, a_tensor: bool, b: Shape, b_tensor: bool) -> Shape:
    """The broadcast leading axes of a matmul. With no leading axes (a rank-2 tensor on
    the left), the tensor's rows are its batch."""
    if not a and not b:
        return ()
    operands = [(s, t) for s, t in ((a, a_tensor), (b, b_tensor)) if s or t]
    if a_tensor and not a:
        raise ShapeError("ops.matmul of a rank-2 tensor with a stack of matrices mixes the batch axis in")
    return broadcast(operands, "ops.matmul")


def _describe(shape: Shape, tensor: bool) -> str:
    return show(shape) if tensor else f"a constant of shape {tuple(shape)}"


@operation("ops.einsum", "Einsum")
class EinsumConfig(OperandsOp):
    """Einstein summation over the operands' axes, as `subscripts` says."""

    arity = None
    keras_fields = ("subscripts",)
    subscripts: str

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        operands = self.operand_shapes(inputs)
        if "." in self.subscripts:
            raise ShapeError("ops.einsum with an ellipsis ('...') is not supported; name every axis")
        given, arrow, wanted = self.subscripts.replace(" ", "").partition("->")
        terms = given.split(",")
        if len(terms) != len(operands):
            raise ShapeError(
                f"ops.einsum subscripts {self.subscripts!r} name {len(terms)} operands, got {len(operands)}"
            )
        batch = {term[0] for term, (_, tensor) in zip(terms, operands, strict=True) if tensor and term}
        if not arrow:  # NumPy's implicit output: the letters named once, in order
            wanted = "".join(sorted(c for c in set(given) - {","} if given.count(c) == 1))
        if len(batch) != 1 or not wanted or wanted[0] not in batch:
            raise ShapeError("ops.einsum must keep the batch axis: every tensor's first letter, first in the output")
        sizes = _letter_sizes(terms, operands, batch)
        return tuple(sizes.get(c) for c in wanted)


def _letter_sizes(terms: list[str], operands: list[tuple[Shape, bool]], batch: set[str]) -> dict[str, int | None]:
    """Each einsum letter's size (None where unknown), checked to agree across operands."""
    sizes: dict[str, int | None] = {}
    for term, (shape, tensor) in zip(terms, operands, strict=True):
        if len(term) != len(shape):
            raise ShapeError(f"ops.einsum term {term!r} has {len(term)} letters for an operand of rank {len(shape)}")
        for position, (letter, size) in enumerate(zip(term, shape, strict=True)):
            if letter in batch and not (tensor and position == 0):
                raise ShapeError(f"ops.einsum uses the batch letter {letter!r} for another axis")
            if size is not None and sizes.get(letter) not in (None, size):
                raise ShapeError(f"ops.einsum axis {letter!r} has sizes {sizes[letter]} and {size}")
            sizes[letter] = size if size is not None else sizes.get(letter)
    return sizes


# -- reductions ------------------------------------------------------------------------


def reduced_axes(axis: Any, rank: int, kind: str) -> tuple[int, ...]:
    """Keras axes (int or list) as sorted non-negative axes, never the batch axis."""
    if axis is None:
        raise ShapeError(f"{kind} with axis None reduces every axis, the batch axis too; give the axes to reduce")
    axes = sorted({resolve_axis(a, rank, f"{kind} axis") for a in ([axis] if isinstance(axis, int) else axis)})
    if not axes or axes[0] == 0:
        raise ShapeError(f"{kind} over the batch axis (axis 0) is not supported: nnspec keeps the batch axis")
    return tuple(axes)


def reduce_shape(shape: Shape, axes: Sequence[int], keepdims: bool) -> Shape:
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axes)


class ReductionOp(OperationConfig):
    """Over `axis` (an int or a list), keeping the reduced axes as 1s with keepdims."""

    keras_fields: ClassVar[tuple[str, ...]] = ("axis", "keepdims")
    single_axis: ClassVar[bool] = False
    axis: Axes | None = None
    keepdims: bool = False

    def axes(self, rank: int) -> tuple[int, ...]:
        axes = reduced_axes(self.axis, rank, self.kind)
        if self.single_axis and not isinstance(self.axis, int):
            raise ShapeError(f"{self.kind} takes one axis, got {self.axis}")
        return axes

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        self.tensors(inputs, 1)
        return reduce_shape(inputs[0], self.axes(len(inputs[0])), self.keepdims)


REDUCTIONS: list[tuple[str, str, str, str]] = [
    ("ops.mean", "Mean", "numpy", "the mean"),
    ("ops.sum", "Sum", "numpy", "the sum"),
    ("ops.var", "Var", "numpy", "the variance (population: divided by n)"),
    ("ops.std", "Std", "numpy", "the standard deviation (population)"),
    ("ops.logsumexp", "Logsumexp", "math", "log(sum(exp(x)))"),
    ("ops.any", "Any", "numpy", "whether any value is true (Keras writes a Masking layer's mask with it)"),
    ("ops.all", "All", "numpy", "whether every value is true"),
]

for _kind, _class, _module, _formula in REDUCTIONS:
    operation(_kind, _class, _module)(
        type(f"{_class}Config", (ReductionOp,), {"__doc__": f"`{_kind}(x, axis)`: {_formula}.", "formula": _formula})
    )


class ExtremeOp(ReductionOp):
    keras_fields = ("axis", "keepdims", "initial")
    initial: Annotated[Scalar | None, unsupported("an initial value is not supported", None)] = None


@operation("ops.max", "Max")
class MaxConfig(ExtremeOp):
    """The largest value over `axis`."""


@operation("ops.min", "Min")
class MinConfig(ExtremeOp):
    """The smallest value over `axis`."""


@operation("ops.prod", "Prod")
class ProdConfig(ReductionOp):
    """The product over `axis`. Keras's dtype null keeps x's dtype, read as float32."""

    keras_fields = ("axis", "keepdims", "dtype")
    dtype: Annotated[  # type: ignore[assignment]
        DTypeName, unsupported("nnspec computes float32 values; the result's dtype must be float32", "float32")
    ] = "float32"

    def keras_config(self) -> dict[str, Any]:
        return {**super().keras_config(), "dtype": None}  # Keras's null: x's dtype


@operation("ops.argmax", "Argmax")
class ArgmaxConfig(ReductionOp):
    """The index of the largest value along `axis` (the first one on ties)."""

    single_axis = True


@operation("ops.argmin", "Argmin")
class ArgminConfig(ReductionOp):
    """The index of the smallest value along `axis` (the first one on ties)."""

    single_axis = True


@operation("ops.norm", "Norm", "linalg")
class NormConfig(ReductionOp):
    """The 2-norm over `axis` (Frobenius over two axes)."""

    keras_fields = ("ord", "axis", "keepdims")
    ord: Annotated[Any, unsupported("only the default norm (ord None: 2-norm, or Frobenius) is supported", None)] = None


# -- shapes --------------------------------------------------------------------------


@operation("ops.reshape", "Reshape")
class ReshapeConfig(OperationConfig):
    """x with a new shape; `newshape` includes the batch axis, written -1."""

    keras_fields = ("newshape",)
    newshape: list[Int | None]

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        self.tensors(inputs, 1)
        shape = self.newshape
        if None in shape:
            raise ShapeError(
                f"newshape {shape} holds a null size (Keras writes ops.shape(x)[0] so) that no one can compute: "
                "Keras 3 itself cannot call such a model; write -1 for the batch axis and the other sizes out"
            )
        if not shape or shape[0] != -1:
            raise ShapeError(f"newshape {shape} must start with -1: the batch axis stays first and keeps its size")
        rest = list(shape[1:])
        if any(d is not None and d < -1 for d in rest) or rest.count(-1) > 1:
            raise ShapeError(f"newshape {shape}: sizes are positive, with at most one more -1")
        total = product(inputs[0][1:])
        known = math.prod(d for d in rest if d != -1)  # type: ignore[misc]
        if -1 in rest:
            if total is None:
                raise ShapeError(f"newshape {shape} needs the input's sizes known, got {show(inputs[0])}")
            if known == 0 or total % known:
                raise ShapeError(f"cannot reshape {show(inputs[0])} to {shape}")
            rest[rest.index(-1)] = total // known
        elif total is not None and total != known:
            raise ShapeError(f"cannot reshape {show(inputs[0])} ({total} values per sample) to {shape}")
        return (inputs[0][0], *rest)


def permutation_shape(shape: Shape, perm: Sequence[int], kind: str) -> Shape:
    if sorted(perm) != list(range(len(shape))):
        raise ShapeError(f"{kind}: {list(perm)} is not a permutation of the axes of {show(shape)}")
    if perm[0] != 0:
        raise ShapeError(f"{kind} would move the batch axis: nnspec keeps it first")
    return tuple(shape[a] for a in perm)


class PermutationOp(OperationConfig):
    """Moves axes; `permutation(rank)` says where each output axis comes from."""

    def permutation(self, rank: int) -> tuple[int, ...]:
        raise NotImplementedError

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        self.tensors(inputs, 1)
        return permutation_shape(inputs[0], self.permutation(len(inputs[0])), self.kind)


@operation("ops.transpose", "Transpose")
class TransposeConfig(PermutationOp):
    """Output axis i is input axis axes[i]; null reverses every axis (the batch axis too)."""

    keras_fields = ("axes",)
    axes: list[Int] | None = None

    def permutation(self, rank: int) -> tuple[int, ...]:
        if self.axes is None:
            return tuple(reversed(range(rank)))
        return tuple(resolve_axis(a, rank, "ops.transpose axis") for a in self.axes)


@operation("ops.swapaxes", "Swapaxes")
class SwapaxesConfig(PermutationOp):
    """axis1 and axis2 exchanged."""

    keras_fields = ("axis1", "axis2")
    axis1: Int
    axis2: Int

    def permutation(self, rank: int) -> tuple[int, ...]:
        a, b = (resolve_axis(v, rank, "ops.swapaxes axis") for v in (self.axis1, self.axis2))
        perm = list(range(rank))
        perm[a], perm[b] = b, a
        return tuple(perm)


@operation("ops.moveaxis", "Moveaxis")
class MoveaxisConfig(PermutationOp):
    """The source axes moved to the destination positions, the others in order."""

    keras_fields = ("source", "destination")
    source: Axes
    destination: Axes

    def permutation(self, rank: int) -> tuple[int, ...]:
        sources = [self.source] if isinstance(self.source, int) else self.source
        targets = [self.destination] if isinstance(self.destination, int) else self.destination
        if len(sources) != len(targets):
            raise ShapeError("ops.moveaxis needs as many destinations as sources")
        src = [resolve_axis(a, rank, "ops.moveaxis source") for a in sources]
        dst = [resolve_axis(a, rank, "ops.moveaxis destination") for a in targets]
        rest = iter(a for a in range(rank) if a not in src)
        placed = dict(zip(dst, src, strict=True))
        return tuple(placed[i] if i in placed else next(rest) for i in range(rank))


@operation("ops.expand_dims", "ExpandDims")
class ExpandDimsConfig(OperationConfig):
    """New axes of size 1 at `axis` (positions in the output)."""

    keras_fields = ("axis",)
    axis: Axes

    def new_axes(self, rank: int) -> tuple[int, ...]:
        axes = [self.axis] if isinstance(self.axis, int) else self.axis
        out_rank = rank + len(axes)
        new = sorted({resolve_axis(a, out_rank, "ops.expand_dims axis") for a in axes})
        if len(new) != len(axes):
            raise ShapeError(f"ops.expand_dims axis {self.axis} repeats an axis")
        if new[0] == 0:
            raise ShapeError("ops.expand_dims at axis 0 would put a new axis before the batch axis")
        return tuple(new)

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        self.tensors(inputs, 1)
        new = self.new_axes(len(inputs[0]))
        rest = iter(inputs[0])
        return tuple(1 if i in new else next(rest) for i in range(len(inputs[0]) + len(new)))


@operation("ops.squeeze", "Squeeze")
class SqueezeConfig(OperationConfig):
    """The axes of size 1 at `axis` removed (axis None, every axis of size 1 whatever
    it is, would take a batch of one sample's batch axis too)."""

    keras_fields = ("axis",)
    axis: Axes | None = None

    def removed(self, shape: Shape) -> tuple[int, ...]:
        if self.axis is None:
            raise ShapeError(
                "ops.squeeze with axis None also removes the batch axis when a batch holds one sample; give the axes"
            )
        axes = sorted({resolve_axis(a, len(shape), "ops.squeeze axis") for a in _listed(self.axis)})
        for a in axes:
            if a == 0:
                raise ShapeError("ops.squeeze of the batch axis is not supported: nnspec keeps the batch axis")
            if shape[a] != 1:
                raise ShapeError(f"ops.squeeze axis {a} has size {shape[a]}, not 1")
        return tuple(axes)

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        self.tensors(inputs, 1)
        removed = self.removed(inputs[0])
        return tuple(d for i, d in enumerate(inputs[0]) if i not in removed)


def _listed(axis: Any) -> list[int]:
    return [axis] if isinstance(axis, int) else list(axis)


class ListOp(OperationConfig):
    """Called on a list of tensors (`ops.concatenate([a, b])`)."""

    def keras_arguments(self, count: int) -> tuple[list[Any], dict[str, Any]]:
        return [[Tensor(i) for i in range(count)]], {}

    @classmethod
    def read_arguments(cls, args: list[Any], kwargs: dict[str, Any]) -> tuple[dict[str, Any], list[Any], bool]:
        if kwargs or len(args) != 1 or not isinstance(args[0], list) or not args[0]:
            raise OperationError("takes one list of tensors")
        if not all(isinstance(a, Tensor) for a in args[0]):
            raise OperationError("takes tensors only in its list; give constants as ops.ones_like / ops.full_like")
        return {}, args[0], True


@operation("ops.concatenate", "Concatenate")
class ConcatenateConfig(ListOp):
    """The tensors joined along `axis` (Keras's default, 0, is the batch axis)."""

    keras_fields = ("axis",)
    axis: Int = 0

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        if not inputs:
            raise ShapeError("ops.concatenate needs at least one tensor")
        rank = len(inputs[0])
        if any(len(s) != rank for s in inputs):
            raise ShapeError("ops.concatenate needs tensors of one rank")
        axis = resolve_axis(self.axis, rank, "ops.concatenate axis")
        if axis == 0:
            raise ShapeError("ops.concatenate along the batch axis (axis 0, Keras's default) is not supported")
        return _joined(inputs, axis, "ops.concatenate")


def _joined(inputs: Sequence[Shape], axis: int, kind: str) -> Shape:
    """The shape of tensors joined along `axis`: its sizes add up, the others agree."""
    out: list[int | None] = []
    for i in range(len(inputs[0])):
        dims = [s[i] for s in inputs]
        if i == axis:
            out.append(None if None in dims else sum(dims))  # type: ignore[arg-type]
            continue
        sizes = {d for d in dims if d is not None}
        if len(sizes) > 1:
            raise ShapeError(f"{kind} needs the tensors' sizes equal on every axis it does not join; axis {i} differs")
        out.append(sizes.pop() if sizes else None)
    return tuple(out)


@operation("ops.stack", "Stack")
class StackConfig(ListOp):
    """The tensors stacked along a new axis `axis`."""

    keras_fields = ("axis",)
    axis: Int = 0

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        if not inputs:
            raise ShapeError("ops.stack needs at least one tensor")
        if any(len(s) != len(inputs[0]) for s in inputs):
            raise ShapeError("ops.stack needs tensors of one shape")
        axis = resolve_axis(self.axis, len(inputs[0]) + 1, "ops.stack axis")
        if axis == 0:
            raise ShapeError("ops.stack along a new axis 0 (Keras's default) would come before the batch axis")
        shape = _joined(inputs, -1, "ops.stack")  # it joins no axis: every one must agree
        return (*shape[:axis], len(inputs), *shape[axis:])


@operation("ops.flip", "Flip")
class FlipConfig(OperationConfig):
    """x reversed along `axis`."""

    keras_fields = ("axis",)
    axis: Axes | None = None

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        self.tensors(inputs, 1)
        reduced_axes(self.axis, len(inputs[0]), "ops.flip")
        return inputs[0]


@operation("ops.tile", "Tile")
class TileConfig(OperationConfig):
    """x repeated whole `repeats[i]` times along axis i (the last axes when shorter)."""

    keras_fields = ("repeats",)
    repeats: Axes

    def full(self, rank: int) -> tuple[int, ...]:
        repeats = _listed(self.repeats)
        if len(repeats) > rank:
            raise ShapeError(f"ops.tile repeats {repeats} would add axes before the batch axis")
        full = (1,) * (rank - len(repeats)) + tuple(repeats)
        if full[0] != 1:
            raise ShapeError("ops.tile would repeat the batch axis")
        if any(r < 1 for r in full):
            raise ShapeError(f"ops.tile repeats must be positive, got {repeats}")
        return full

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        self.tensors(inputs, 1)
        return tuple(None if d is None else d * r for d, r in zip(inputs[0], self.full(len(inputs[0])), strict=True))


@operation("ops.repeat", "Repeat")
class RepeatConfig(OperationConfig):
    """Each value repeated `repeats` times along `axis`."""

    keras_fields = ("repeats", "axis")
    repeats: Int
    axis: Int | None = None

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        self.tensors(inputs, 1)
        if self.axis is None:
            raise ShapeError("ops.repeat with axis None flattens the batch axis in; give the axis")
        axis = reduced_axes(self.axis, len(inputs[0]), "ops.repeat")[0]
        if self.repeats < 0:
            raise ShapeError("ops.repeat repeats must not be negative")
        d = inputs[0][axis]
        return tuple(None if d is None else d * self.repeats if i == axis else s for i, s in enumerate(inputs[0]))


@operation("ops.pad", "Pad")
class PadConfig(OperationConfig):
    """x padded with `constant_values` (0 when null): pad_width [before, after] per axis."""

    keras_fields = ("pad_width", "mode")
    pad_width: list[list[Int]]
    mode: Annotated[str, unsupported("only constant padding is supported", "constant")] = "constant"
    constant_values: Scalar | None = None

    def keras_arguments(self, count: int) -> tuple[list[Any], dict[str, Any]]:
        return [Tensor(0)], {"constant_values": self.constant_values}

    @classmethod
    def read_arguments(cls, args: list[Any], kwargs: dict[str, Any]) -> tuple[dict[str, Any], list[Any], bool]:
        if len(args) != 1 or not isinstance(args[0], Tensor) or set(kwargs) - {"constant_values"}:
            raise OperationError("takes one tensor and constant_values")
        value = kwargs.get("constant_values")
        if isinstance(value, Tensor):
            raise OperationError("takes constant_values as a number, not a tensor")
        return ({"constant_values": value} if value is not None else {}), args, False

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        self.tensors(inputs, 1)
        shape = inputs[0]
        if len(self.pad_width) != len(shape) or any(len(p) != 2 or min(p) < 0 for p in self.pad_width):
            raise ShapeError(f"ops.pad pad_width needs [before, after] (not negative) for each of {len(shape)} axes")
        if self.pad_width[0] != [0, 0]:
            raise ShapeError("ops.pad of the batch axis is not supported")
        return tuple(None if d is None else d + sum(p) for d, p in zip(shape, self.pad_width, strict=True))


@operation("ops.take", "Take")
class TakeConfig(OperationConfig):
    """The entries at `indices` along `axis` (an int index removes the axis)."""

    keras_fields = ("axis",)
    axis: Int | None = None
    indices: Axes

    def keras_arguments(self, count: int) -> tuple[list[Any], dict[str, Any]]:
        return [Tensor(0), self.indices], {}

    @classmethod
    def read_arguments(cls, args: list[Any], kwargs: dict[str, Any]) -> tuple[dict[str, Any], list[Any], bool]:
        if kwargs or len(args) != 2 or not isinstance(args[0], Tensor):
            raise OperationError("takes a tensor and its indices")
        if isinstance(args[1], Tensor) or any(isinstance(i, Tensor) for i in _flat(args[1])):
            raise OperationError("with indices given as a tensor is not supported; write the indices out")
        return {"indices": args[1]}, args[:1], False

    def resolved(self, shape: Shape) -> tuple[int, list[int] | int]:
        """The axis, and the indices made non-negative (the axis's size must be known)."""
        if self.axis is None:
            raise ShapeError("ops.take with axis None flattens the batch axis in; give the axis")
        axis = reduced_axes(self.axis, len(shape), "ops.take")[0]
        size = shape[axis]
        if size is None:
            raise ShapeError(f"ops.take needs the size of axis {axis} known")
        indices = _listed(self.indices)
        if any(not -size <= i < size for i in indices):
            raise ShapeError(f"ops.take indices {self.indices} are out of range for axis {axis} of size {size}")
        fixed = [i % size for i in indices]
        return axis, fixed if isinstance(self.indices, list) else fixed[0]

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        self.tensors(inputs, 1)
        axis, indices = self.resolved(inputs[0])
        shape = list(inputs[0])
        if isinstance(indices, list):
            shape[axis] = len(indices)
        else:
            del shape[axis]
        return tuple(shape)


def _flat(value: Any) -> Iterator[Any]:
    if isinstance(value, list):
        for v in value:
            yield from _flat(v)
    else:
        yield value


@operation("ops.get_item", "GetItem")
class GetItemConfig(OperationConfig):
    """`x[key]`: each item an integer, a slice 'start:stop:step', '...' or null (a new axis)."""

    key: list[KeyItem]

    @field_validator("key")
    @classmethod
    def _items(cls, key: list[Any]) -> list[Any]:
        for item in key:
            if isinstance(item, str) and item != ELLIPSIS:
                parse_slice(item)
        if key.count(ELLIPSIS) > 1:
            raise ValueError("a key holds at most one '...'")
        return key

    def keras_arguments(self, count: int) -> tuple[list[Any], dict[str, Any]]:
        return [Tensor(0), [self.item(i) for i in self.key]], {}

    @staticmethod
    def item(value: Any) -> Any:
        """A key item as Keras takes it: an int, None, Ellipsis (as ELLIPSIS) or a Slice."""
        return parse_slice(value) if isinstance(value, str) and value != ELLIPSIS else value

    @classmethod
    def read_arguments(cls, args: list[Any], kwargs: dict[str, Any]) -> tuple[dict[str, Any], list[Any], bool]:
        if kwargs or len(args) != 2 or not isinstance(args[0], Tensor):
            raise OperationError("takes a tensor and a key")
        key = args[1] if isinstance(args[1], list) else [args[1]]
        for item in key:
            if isinstance(item, Tensor | list):
                raise OperationError("indexing with a tensor or a list of indices is not supported; use ops.take")
        return {"key": [i.text() if isinstance(i, Slice) else i for i in key]}, args[:1], False

    def expanded(self, rank: int) -> list[Any]:
        """The key with its '...' (or an implicit one at the end) replaced by full slices:
        one item per input axis, plus the new axes (None)."""
        key = [self.item(i) for i in self.key]
        if ELLIPSIS not in key:
            key.append(ELLIPSIS)
        used = sum(1 for i in key if i is not None and i != ELLIPSIS)
        if used > rank:
            raise ShapeError(f"ops.get_item key {self.key} indexes {used} axes of a tensor of rank {rank}")
        at = key.index(ELLIPSIS)
        return key[:at] + [Slice()] * (rank - used) + key[at + 1 :]

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        self.tensors(inputs, 1)
        shape = inputs[0]
        key = self.expanded(len(shape))
        axes = iter(range(len(shape)))
        out: list[int | None] = []
        for item in key:
            if item is None:
                if not out:
                    raise ShapeError("ops.get_item: a new axis (None) before the batch axis is not supported")
                out.append(1)
                continue
            axis = next(axes)
            size = shape[axis]
            if axis == 0 and item != Slice():
                raise ShapeError(f"ops.get_item key {self.key} indexes the batch axis; only ':' keeps it")
            if isinstance(item, int):
                if size is not None and not -size <= item < size:
                    raise ShapeError(f"ops.get_item index {item} is out of range for axis {axis} of size {size}")
                continue
            if size is None:
                if (item.step or 1) < 0:
                    raise ShapeError(f"ops.get_item needs the size of axis {axis} known to slice it backwards")
                out.append(None)
                continue
            out.append(item.length(size))
        return tuple(out)


@operation("ops.one_hot", "OneHot", "nn")
class OneHotConfig(OperationConfig):
    """A new last axis of num_classes: 1 at the index x holds, 0 elsewhere."""

    keras_fields = ("num_classes", "axis", "dtype", "sparse")
    num_classes: Int
    axis: Annotated[Int, unsupported("only a new last axis (axis -1) is supported", -1)] = -1
    dtype: Annotated[  # type: ignore[assignment]
        DTypeName, unsupported("nnspec computes float32 values; the result's dtype must be float32", "float32")
    ] = "float32"
    sparse: Annotated[bool, unsupported("sparse tensors are not supported", False)] = False

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        self.tensors(inputs, 1)
        if self.num_classes < 1:
            raise ShapeError("ops.one_hot needs num_classes of at least 1")
        return (*inputs[0], self.num_classes)


@operation("ops.image.resize", "Resize", "image")
class ResizeConfig(OperationConfig):
    """Images (batch, height, width, channels) resized to `size` by `interpolation`."""

    keras_fields = (
        "size",
        "interpolation",
        "antialias",
        "crop_to_aspect_ratio",
        "pad_to_aspect_ratio",
        "fill_mode",
        "fill_value",
        "data_format",
    )
    size: list[Int]
    interpolation: Annotated[
        Literal["bilinear", "nearest", "bicubic", "lanczos3", "lanczos5", "area"],
        supported_only(("bilinear", "nearest"), "only bilinear and nearest interpolation are supported"),
    ] = "bilinear"
    antialias: Annotated[bool, unsupported("antialiasing is not supported", False)] = False
    crop_to_aspect_ratio: Annotated[bool, unsupported("cropping to the aspect ratio is not supported", False)] = False
    pad_to_aspect_ratio: Annotated[bool, unsupported("padding to the aspect ratio is not supported", False)] = False
    fill_mode: Literal["constant"] = "constant"
    fill_value: float = 0.0
    data_format: Literal["channels_last", "channels_first"] | None = None

    @property
    def channels_first(self) -> bool:
        return self.data_format == "channels_first"

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        self.tensors(inputs, 1)
        shape = inputs[0]
        if len(shape) != 4:
            raise ShapeError(f"ops.image.resize takes a batch of images (rank 4), got {show(shape)}")
        if len(self.size) != 2 or min(self.size) < 1:
            raise ShapeError(f"ops.image.resize size is [height, width], got {self.size}")
        if self.channels_first:
            return (shape[0], shape[1], *self.size)
        return (shape[0], *self.size, shape[3])


__all__ = [
    "OPERATIONS",
    "UNSUPPORTED_OPERATIONS",
    "ArrayConstant",
    "OperationConfig",
    "OperationError",
    "Slice",
    "Tensor",
]
