"""How each layer kind maps to Keras and PyTorch: a registry keyed by class_name.

A kind's meaning (config, shapes, counts) lives in `spec/layers/<family>.py`; its
mapping lives in `compiler/kinds/<family>.py` as a `KindRule`. A rule turns one
layer of a checked graph into the PyTorch pieces the emitters place (constructor,
forward expression, initialisation) and the weight rules both directions share.
Rules return source text, never objects: the in-memory model is that text, run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from ...spec.layers.base import Shape
from ..names import Namespace

Layout = Literal["same", "transpose"]
"""How a Keras weight becomes its torch tensor: as it is, or transposed (Dense kernel)."""


@dataclass(frozen=True)
class WeightRule:
    """One Keras weight and the torch tensor it becomes."""

    keras: str
    """The Keras variable's name in `layer.weights` ('kernel', 'moving_mean')."""
    torch: str
    """Its state_dict key, relative to the model class ('dense.weight')."""
    keras_shape: tuple[int, ...]
    layout: Layout = "same"

    @property
    def torch_shape(self) -> tuple[int, ...]:
        return self.keras_shape[::-1] if self.layout == "transpose" else self.keras_shape


@dataclass
class TorchLayer:
    """What one layer becomes in a generated nn.Module."""

    modules: list[tuple[str, str]] = field(default_factory=list)
    """(attribute, constructor expression) pairs, created in __init__."""
    forward: str = ""
    """The expression computing the layer's output from its inputs."""
    setup: list[str] = field(default_factory=list)
    """Statements right after the constructors (a BatchNorm without beta drops its bias)."""
    init: list[str] = field(default_factory=list)
    """reset_parameters() statements: the spec's initializers."""
    weights: list[WeightRule] = field(default_factory=list)
    """In the order of Keras's `layer.weights`."""
    penalties: list[str] = field(default_factory=list)
    """Expressions summed by regularization_loss(): the spec's kernel/bias regularizers."""
    constraints: list[str] = field(default_factory=list)
    """Statements of apply_constraints(), run after each optimizer step."""
    helpers: set[str] = field(default_factory=set)
    """Names of the helper functions and classes (compiler/helpers.py) it uses."""
    stay_trainable: set[str] = field(default_factory=set)
    """Submodules a frozen layer leaves trainable, as Keras leaves an activation
    layer object's weights (they are made after the layer was frozen)."""

    def add_weight(
        self,
        keras: str,
        tensor: str,
        keras_shape: tuple[int, ...],
        initializer: Any,
        regularizer: Any = None,
        constraint: Any = None,
        layout: Layout = "same",
        torch_fans_agree: bool = False,
    ) -> None:
        """A Keras weight living at torch `tensor` ('self.dense.weight'): its rule,
        its initialisation, its penalty and its constraint."""
        from ..torch_init import init_statement
        from ..torch_penalties import constraint as constraint_statements
        from ..torch_penalties import penalty

        self.weights.append(WeightRule(keras, tensor.removeprefix("self."), keras_shape, layout))
        if initializer is not None:
            self.init.append(init_statement(initializer, tensor, keras_shape, torch_fans_agree))
        if regularizer is not None:
            self.penalties += penalty(regularizer, tensor, layout, self.helpers)
        if constraint is not None:
            self.constraints += constraint_statements(constraint, tensor, len(keras_shape), layout, self.helpers)

    def merge(self, other: TorchLayer) -> None:
        """Take in the pieces of a sub-layer (an activation layer given as `activation`)."""
        self.modules += other.modules
        self.setup += other.setup
        self.init += other.init
        self.weights += other.weights
        self.penalties += other.penalties
        self.constraints += other.constraints
        self.helpers |= other.helpers
        self.stay_trainable |= other.stay_trainable


@dataclass(frozen=True)
class Site:
    """Where a layer sits in the generated module: its attribute, inputs and shapes."""

    layer: str
    attr: str
    """Its submodule attribute, without 'self.'."""
    input_shapes: tuple[Shape, ...]
    output_shape: Shape
    path: str
    """The layer's path in the spec, for errors."""
    attrs: Namespace
    """The class's attribute namespace, for extra submodules."""

    @property
    def module(self) -> str:
        return f"self.{self.attr}"

    @property
    def input_shape(self) -> Shape:
        return self.input_shapes[0]

    def extra(self, suffix: str) -> Site:
        """A site for a sub-layer of this one (its activation layer), with its own attribute."""
        attr = self.attrs.name(f"{self.attr}_{suffix}")
        return Site(self.layer, attr, (self.output_shape,), self.output_shape, self.path, self.attrs)


class Unmappable(ValueError):
    """A config this target cannot reproduce; the message says what and why.
    The lowering turns it into a SpecError at the layer's path."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


class KindRule:
    """The mapping of one layer kind. Subclasses set `kind` through @rule."""

    kind: ClassVar[str]
    keras_positional: ClassVar[tuple[str, ...]] = ()
    """Config fields the Keras constructor takes positionally, as people write it."""

    def torch(self, config: Any, site: Site, inputs: list[str]) -> TorchLayer:
        raise NotImplementedError(f"layer kind {self.kind!r} has no PyTorch rule")


KIND_RULES: dict[str, KindRule] = {}


def rule(class_name: str):
    """Register a KindRule as the mapping of a Keras class_name."""

    def register(cls: type[KindRule]) -> type[KindRule]:
        if class_name in KIND_RULES:
            raise ValueError(f"compiler rule for {class_name!r} is registered twice")
        cls.kind = class_name
        KIND_RULES[class_name] = cls()
        return cls

    return register


def rule_for(class_name: str) -> KindRule:
    _load_families()
    try:
        return KIND_RULES[class_name]
    except KeyError:
        raise NotImplementedError(f"layer kind {class_name!r} has no compiler rule") from None


def _load_families() -> None:
    if not KIND_RULES:
        from . import activations, core, merging, normalization  # noqa: F401
