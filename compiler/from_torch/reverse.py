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
    """torch's shape on the example inputs."""
    channels_first: bool = False
    """torch holds (N, C, ...) where Keras holds (N, ..., C) (set from `order` where given)."""
    nonnegative: bool = False
    """Known >= 0 (a ReLU's output): zero padding before a max pooling is then exact."""
    order: tuple[int, ...] | None = None
    """torch dim i is Keras axis order[i] (Keras's batch axis 0 may be any torch dim: a
    time-major sequence); by default the identity, or channels first's."""

    def __post_init__(self) -> None:
        if self.order is not None:
            object.__setattr__(self, "channels_first", self.rank >= 3 and self.order == channels_first_order(self.rank))

    @property
    def rank(self) -> int:
        return len(self.shape)

    @property
    def perm(self) -> tuple[int, ...]:
        if self.order is not None:
            return self.order
        return channels_first_order(self.rank) if self.channels_first and self.rank >= 3 else tuple(range(self.rank))

    def keras_axis(self, dim: int) -> int:
        """The Keras axis of torch dim `dim` (negative dims count from the end)."""
        return self.perm[dim % self.rank]

    @property
    def keras_shape(self) -> list[int | None]:
        """Keras's shape, the batch left open."""
        perm = self.perm
        return [None, *(self.shape[perm.index(axis)] for axis in range(1, self.rank))]


def channels_first_order(rank: int) -> tuple[int, ...]:
    """torch's (N, C, ...) of Keras's (N, ..., C): dim 1 is Keras's last axis."""
    return (0, rank - 1, *range(1, rank - 1))


def identity(rank: int) -> tuple[int, ...]:
    return tuple(range(rank))


def arranged(value: Value, order: tuple[int, ...]) -> list[KerasLayer]:
    """A Permute layer giving `value` the layout `order` (none if it has it): Keras's
    Permute moves every axis but the batch, which both layouts must hold in one place."""
    perm = value.perm
    if perm == order:
        return []
    where = {axis: dim for dim, axis in enumerate(order)}  # Keras axis -> torch dim, in the new layout
    if perm[where[0]] != 0:
        raise Untranslatable("a layout that moves the batch axis, which a Keras layer cannot do")
    return [KerasLayer("Permute", {"dims": [perm[where[axis]] for axis in range(1, value.rank)]})]


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
    order: tuple[int, ...] | None = None
    """The result's layout where it is neither the input's nor one `channels_first` says."""
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
