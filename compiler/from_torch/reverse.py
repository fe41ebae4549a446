"""What a reverse matcher sees and says: the PyTorch importer asks, for each module or
function call of the traced graph, which Keras layers compute it.

A matcher lives beside its kind's rule in `compiler/kinds/<family>.py` and registers
with `@from_module("Conv2d", ...)` (a torch.nn class name) or `@from_call(...)` (a
function or a tensor method). It returns the Keras layers in calling order, each with
where its weights are in the user's module: for each Keras weight, the user's tensors
in the generated torch module's layout (the kinds' own transfers do the rest)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class Untranslatable(ValueError):
    """A module or call the importer cannot express in Keras layers; the message says why."""


@dataclass(frozen=True)
class Value:
    """A tensor of the traced graph: the Keras tensor that holds it, and how torch lays it out."""

    ref: tuple[str, int, int]
    """[Keras layer, call, output]."""
    shape: tuple[int, ...]
    """torch's shape on the example inputs (batch first)."""
    channels_first: bool = False
    """torch holds (N, C, ...) where Keras holds (N, ..., C)."""
    nonnegative: bool = False
    """Known >= 0 (a ReLU's output): zero padding before a max pooling is then exact."""

    @property
    def rank(self) -> int:
        return len(self.shape)

    def keras_axis(self, dim: int) -> int:
        """The Keras axis of torch dim `dim` (negative dims count from the end)."""
        dim %= self.rank
        if not self.channels_first or dim == 0:
            return dim
        return self.rank - 1 if dim == 1 else dim - 1

    @property
    def keras_shape(self) -> list[int | None]:
        """Keras's shape, the batch left open."""
        dims = list(self.shape[1:])
        if self.channels_first:
            dims = [*dims[1:], dims[0]]
        return [None, *dims]


@dataclass
class KerasLayer:
    """One Keras layer a matcher makes."""

    class_name: str
    config: dict[str, Any]
    weights: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    """Keras weight name -> the user's tensors for it, in the order of the generated torch
    module's keys for that weight (an LSTM's bias: bias_ih, then bias_hh)."""
    extra_inputs: tuple[Value, ...] = ()
    """Tensors besides the previous layer's output (a merge's other operands)."""
    sources: tuple[Any, ...] | None = None
    """Where its inputs come from, where not the previous layer (and `extra_inputs`): each a
    Value, or the position of an earlier layer of the same match (a residual block's Add)."""
    suffix: str | None = None
    """Named `<module>_<suffix>` (a stacked LSTM's second layer: `lstm_l1`); by default the
    layer holding weights takes the module's name, the others `<module>_<kind>`."""


@dataclass
class Site:
    """Where a module or call sits: its name, its inputs, its example outputs."""

    name: str
    """The Keras name it gets (module path with '_' for '.')."""
    path: str
    """The module path, or the call's name, for messages."""
    inputs: list[Value]
    arguments: dict[str, Any]
    """The call's other arguments (ints, tuples, dims), by name or position."""
    output_shape: tuple[int, ...] | None
    users: list[str] = field(default_factory=list)
    """What the output feeds, by kind (module class names, function names)."""
    tail_used: bool = False
    """Whether anything reads an item of the module's tuple after the first (an LSTM's states)."""

    @property
    def value(self) -> Value:
        return self.inputs[0]


@dataclass
class Matched:
    """A matcher's answer: layers in calling order (each taking the previous one's output,
    the first the site's first input) and how the result is laid out."""

    layers: list[KerasLayer]
    channels_first: bool | None = None
    """None: as the input."""
    nonnegative: bool = False
    tail: Any = None
    """Where the module returns a tuple (an LSTM's (output, (h, c))): what stands for the
    rest, an Unusable that says why if it is read."""


@dataclass(frozen=True)
class LayerOutput:
    """In a match's `tail`: output `index` of its layer at position `layer` (an LSTM's h)."""

    layer: int
    index: int
    shape: tuple[int, ...]


@dataclass
class Unusable:
    """An output of a module that the Keras layers do not give (an LSTM's final states)."""

    reason: str


ModuleMatcher = Callable[[Any, Site], Matched]
CallMatcher = Callable[[Site], Matched]

MODULE_MATCHERS: dict[str, ModuleMatcher] = {}
CALL_MATCHERS: dict[str, CallMatcher] = {}


def from_module(*class_names: str) -> Callable[[ModuleMatcher], ModuleMatcher]:
    """Register a matcher for torch.nn modules of these classes."""
    return _registrar(MODULE_MATCHERS, class_names, "torch module")


def from_call(*names: str) -> Callable[[CallMatcher], CallMatcher]:
    """Register a matcher for functions (`torch.cat`, `F.relu`, `add`) and tensor methods
    (`.flatten`): a method is named with a leading dot."""
    return _registrar(CALL_MATCHERS, names, "torch call")


def _registrar(table: dict[str, Any], names: tuple[str, ...], what: str) -> Callable[[Any], Any]:
    def register(matcher: Any) -> Any:
        for name in names:
            if name in table:
                raise ValueError(f"{what} {name!r} has two matchers")
            table[name] = matcher
        return matcher

    return register


def one(class_name: str, **config: Any) -> Matched:
    """A single weightless Keras layer."""
    return Matched([KerasLayer(class_name, config)])
