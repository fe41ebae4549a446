"""What a kind rule is and what it returns.

A kind's meaning (config, shapes, weights) lives in `spec/layers/<family>.py`; its
mapping lives in `compiler/kinds/<family>.py` as a `KindRule`. Given one call of a
layer (a `Site`), a rule says which layout it computes its inputs in and returns a
`TorchLayer`: structured pieces (submodules, the forward expression, initialisation,
penalties, constraints, and one `Transfer` per declared weight) that the emitter
places. Nothing downstream edits or searches rendered text."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from ...spec.layers.base import Shape, WeightSpec
from ..names import Namespace
from .errors import Unmappable
from .expr import Expr, Statement, Submodule
from .init import init_statement
from .layout import Layout
from .penalties import constraint_statements, penalty_terms
from .transfer import Transfer


@dataclass(frozen=True)
class TorchWeight:
    """A declared Keras weight and the torch tensor that holds it."""

    keras: str
    """The Keras variable's name ('kernel', 'moving_mean')."""
    tensor: str
    """Its state_dict key, relative to the generated class ('conv.weight')."""
    transfer: Transfer
    buffer: bool = False

    @property
    def torch_shape(self) -> tuple[int, ...]:
        return self.transfer.torch_shape


@dataclass
class TorchLayer:
    """What one layer call becomes in a generated nn.Module."""

    forward: Expr | None = None
    """The expression computing the layer's output from its inputs."""
    output_layout: Layout | None = None
    """The layout of the output; None: the input's, for element-wise kinds, else Keras's."""
    modules: list[Submodule] = field(default_factory=list)
    setup: list[Statement] = field(default_factory=list)
    """Statements right after the constructors (a BatchNorm without beta drops its bias)."""
    init: list[Statement] = field(default_factory=list)
    """reset_parameters() statements: the spec's initializers."""
    weights: list[TorchWeight] = field(default_factory=list)
    """In the order of the layer's declared weights."""
    torch_only: list[tuple[str, int]] = field(default_factory=list)
    """Buffers torch keeps that Keras has no weight for (num_batches_tracked): (key, size)."""
    penalties: list[Statement] = field(default_factory=list)
    """Expressions summed by regularization_loss(): the spec's weight regularizers."""
    constraints: list[Statement] = field(default_factory=list)
    """Statements of apply_constraints(), run after each optimizer step."""
    stay_trainable: set[str] = field(default_factory=set)
    """Submodules a frozen layer leaves trainable (an activation layer object's)."""
    uninitialised: int = 0
    """Declared weights with no initializer: torch's own initialisation stands."""

    def module(self, attr: str, constructor: Expr, shape_only: bool = False) -> str:
        """Add a submodule; returns `self.<attr>`. `shape_only`: every tensor it makes is
        a declared weight (or one the rule's init statements set)."""
        self.modules.append(Submodule(attr, constructor, shape_only))
        return f"self.{attr}"

    def add_weight(
        self,
        weight: WeightSpec,
        attr: str,
        tensor: str,
        transfer: Transfer,
        buffer: bool = False,
        initialise: bool = True,
    ) -> None:
        """A declared weight living at torch `self.<attr>.<tensor>`: its transfer, its
        initialisation (unless the rule initialises it otherwise), its penalty and its
        constraint."""
        if transfer.keras_shape != weight.shape:
            raise ValueError(f"{weight.name}: transfer of {transfer.keras_shape} for a weight of {weight.shape}")
        target = f"self.{attr}.{tensor}"
        self.weights.append(TorchWeight(weight.name, f"{attr}.{tensor}", transfer, buffer))
        if weight.initializer is None:
            self.uninitialised += 1
        elif initialise:
            self.init.append(init_statement(weight.initializer, target, transfer, attr))
        if weight.regularizer is not None:
            self.penalties += penalty_terms(weight.regularizer, target, transfer, attr)
        if weight.constraint is not None:
            self.constraints += constraint_statements(weight.constraint, target, transfer, attr)

    def merge(self, other: TorchLayer) -> None:
        """Take in the pieces of a sub-layer (an activation layer given as `activation`)."""
        self.modules += other.modules
        self.setup += other.setup
        self.init += other.init
        self.weights += other.weights
        self.torch_only += other.torch_only
        self.penalties += other.penalties
        self.constraints += other.constraints
        self.stay_trainable |= other.stay_trainable
        self.uninitialised += other.uninitialised


@dataclass(frozen=True)
class Site:
    """One call of a layer in the generated module: its attribute, its inputs' shapes
    (Keras's) and layouts, its declared weights."""

    layer: str
    attr: str
    """Its submodule attribute, without 'self.'."""
    input_shapes: tuple[Shape, ...]
    output_shape: Shape
    path: str
    """The layer's path in the spec, for errors."""
    attrs: Namespace
    """The class's attribute namespace, for extra submodules."""
    layouts: tuple[Layout | None, ...]
    """The inputs' layouts: as they arrive when a rule is asked for `layouts` (None where
    not yet known), as the rule chose them when asked for `torch`."""
    weights: tuple[WeightSpec, ...] = ()

    @property
    def module(self) -> str:
        return f"self.{self.attr}"

    @property
    def input_shape(self) -> Shape:
        return self.input_shapes[0]

    @property
    def rank(self) -> int:
        return len(self.input_shapes[0])

    @property
    def layout(self) -> Layout:
        layout = self.layouts[0]
        assert layout is not None, "layouts are known by the time torch() is asked"
        return layout

    def dim(self, axis: int, index: int = 0) -> int:
        """The torch dim of input `index` that holds its Keras `axis`."""
        layout = self.layouts[index]
        assert layout is not None
        return layout.dim(axis)

    def weight(self, name: str) -> WeightSpec:
        for weight in self.weights:
            if weight.name == name:
                return weight
        raise KeyError(f"{self.layer!r} declares no weight {name!r}")

    def extra(self, suffix: str, layout: Layout) -> Site:
        """A site for a sub-layer of this one (its activation layer), with its own attribute."""
        attr = self.attrs.name(f"{self.attr}_{suffix}")
        return Site(
            self.layer, attr, (self.output_shape,), self.output_shape, self.path, self.attrs, (layout,), self.weights
        )


class KindRule:
    """The mapping of one layer kind. Subclasses set `kind` through @rule."""

    kind: ClassVar[str]
    keras_positional: ClassVar[tuple[str, ...]] = ()
    """Config fields the Keras constructor takes positionally, as people write it."""
    operation: ClassVar[bool] = False
    """Not a Keras layer but a Keras 3 operation node (`x + y` in a functional model): it
    has no weights, no `get_layer`, and overrides `keras_expression` and `keras_apply`."""
    elementwise: ClassVar[bool] = False
    """Computes value by value (or treats every feature alike), so a value of any layout,
    a flattened feature vector's too, passes through it unchanged."""

    def layouts(self, config: Any, site: Site) -> list[Layout | None]:
        """The layout the rule computes each input in, given `site.layouts` (where they
        arrive; None: not known yet). None in the answer means: as it arrives. By default,
        an element-wise kind takes any, every other kind Keras's own."""
        if self.elementwise:
            return [None] * len(site.input_shapes)
        return [Layout.keras(len(shape)) for shape in site.input_shapes]

    def torch(self, config: Any, site: Site, inputs: list[Expr]) -> TorchLayer:
        raise NotImplementedError(f"layer kind {self.kind!r} has no PyTorch rule")

    def activity_regularizer(self, config: Any) -> Any:
        """The penalty Keras adds to the losses for each call's output (ActivityRegularization's
        own l1 and l2, or any layer's activity_regularizer)."""
        return getattr(config, "activity_regularizer", None)

    def random_in_training(self, config: Any) -> bool:
        """Whether the layer draws random numbers in training (a dropout mask, noise), which
        torch and Keras draw differently: training-mode parity cannot compare it."""
        return False

    # A kind that is not a Keras layer (a Keras 3 operation node, `x + y` in a functional
    # model) overrides these two: the generated Keras code calls a function, not a layer.

    def keras_expression(self, config: Any, arguments: list[str]) -> str | None:
        """Keras source computing the node from `arguments` (Python expressions); None:
        the node is a layer, built by `layers.<Kind>(...)` and called on them."""
        return None

    def keras_apply(self, config: Any, arguments: list[Any]) -> Any:
        """The node computed by Keras on live tensors (parity runs nodes one at a time);
        only asked of kinds with a `keras_expression`."""
        raise NotImplementedError(f"{self.kind!r} is a Keras layer: call the model's layer")


__all__ = ["KindRule", "Site", "Statement", "Submodule", "TorchLayer", "TorchWeight", "Unmappable"]
