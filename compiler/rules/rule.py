"""What a kind rule is and what it returns.

A kind's meaning (config, shapes, weights) lives in `spec/layers/<family>.py`; its
mapping lives in `compiler/kinds/<family>.py` as a `KindRule`. Given one call of a
layer (a `Site`), a rule says which layout it computes its inputs in and returns a
`TorchLayer`: structured pieces (submodules, the forward expression, initialisation,
penalties, constraints, and one `Transfer` per declared weight) that the emitter
places. Nothing downstream edits or searches rendered text."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ...spec.layers.base import Shape, WeightSpec
from ..names import Namespace
from .errors import Unmappable
from .expr import Expr, Statement, Submodule
from .init import init_statement
from .layout import Layout
from .penalties import ELEMENTWISE_CONSTRAINTS, ELEMENTWISE_REGULARIZERS, constraint_statements, penalty_terms
from .transfer import Transfer


@dataclass(frozen=True)
class TorchWeight:
    """A declared Keras weight and the torch tensor that holds it."""

    keras: str
    """The Keras variable's name ('kernel', 'moving_mean')."""
    tensors: tuple[str, ...]
    """Its state_dict key(s), relative to the generated class ('conv.weight'). Several for
    a weight torch splits (GRU's bias: bias_ih_l0 and bias_hh_l0): the transfer's torch
    side then stacks them on a leading axis."""
    transfer: Transfer
    buffer: bool = False
    dtype: str = "float32"
    """The tensor's dtype in the module (Normalization's sample count is int64), so a
    state_dict can be written without building the module."""

    @property
    def torch_shape(self) -> tuple[int, ...]:
        return self.transfer.torch_shape


@dataclass(frozen=True)
class TorchBuffer:
    """A buffer torch keeps that Keras has no weight for, as the module makes it: every
    value `fill` (num_batches_tracked: 0, int64). A config's constants (Rescaling's scale)
    are not `persistent`: they stay out of the state_dict."""

    key: str
    shape: tuple[int, ...]
    dtype: str = "float32"
    persistent: bool = True
    fill: float = 0

    @property
    def size(self) -> int:
        return math.prod(self.shape)


@dataclass(frozen=True)
class ForwardStep:
    """A forward line of a layer with several outputs: `targets = expression`."""

    targets: str
    expression: Expr
    reads: tuple[str, ...] = ()
    """The variables it reads; empty: the layer's inputs."""


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
    torch_only: list[TorchBuffer] = field(default_factory=list)
    """Buffers torch keeps that Keras has no weight for (num_batches_tracked)."""
    penalties: list[Statement] = field(default_factory=list)
    """Expressions summed by regularization_loss(): the spec's weight regularizers."""
    constraints: list[Statement] = field(default_factory=list)
    """Statements of apply_constraints(), run after each optimizer step."""
    stay_trainable: set[str] = field(default_factory=set)
    """Submodules a frozen layer leaves trainable (an activation layer object's)."""
    uninitialised: int = 0
    """Declared weights with no initializer: torch's own initialisation stands."""
    output_masks: dict[int, Expr] = field(default_factory=dict)
    """For a kind that reads or makes Keras masks (mask_policy "read"): each masked output's
    mask, a boolean (batch, steps) expression of the inputs or their masks."""
    steps: list[ForwardStep] = field(default_factory=list)
    """For a layer with several outputs (an RNN's return_state): the lines binding them,
    in place of `forward`; `outputs` names the variables holding them, in Keras's order."""
    outputs: list[str] = field(default_factory=list)

    def module(self, attr: str, constructor: Expr, shape_only: bool = False) -> str:
        """Add a submodule; returns `self.<attr>`. `shape_only`: every tensor it makes is
        a declared weight (or one the rule's init statements set)."""
        self.modules.append(Submodule(attr, constructor, shape_only))
        return f"self.{attr}"

    def add_weight(
        self,
        weight: WeightSpec,
        attr: str,
        tensor: str | tuple[str, ...],
        transfer: Transfer,
        buffer: bool = False,
        initialise: bool = True,
        dtype: str = "float32",
    ) -> None:
        """A declared weight living at torch `self.<attr>.<tensor>` (or split over several
        tensors): its transfer, its initialisation (unless the rule initialises it
        otherwise), its penalty and its constraint."""
        if transfer.keras_shape != weight.shape:
            raise ValueError(f"{weight.name}: transfer of {transfer.keras_shape} for a weight of {weight.shape}")
        tensors = (tensor,) if isinstance(tensor, str) else tensor
        self.weights.append(TorchWeight(weight.name, tuple(f"{attr}.{t}" for t in tensors), transfer, buffer, dtype))
        if weight.initializer is None:
            self.uninitialised += 1
        elif initialise:
            if len(tensors) > 1:
                raise ValueError(f"{weight.name}: a split weight is initialised by its rule")
            self.init.append(init_statement(weight.initializer, f"self.{attr}.{tensors[0]}", transfer, attr))
        if len(tensors) > 1:
            self._split_penalties(weight, attr, tensors)
            return
        target = f"self.{attr}.{tensors[0]}"
        if weight.regularizer is not None:
            self.penalties += penalty_terms(weight.regularizer, target, transfer, attr)
        if weight.constraint is not None:
            self.constraints += constraint_statements(weight.constraint, target, transfer, attr)

    def _split_penalties(self, weight: WeightSpec, attr: str, tensors: tuple[str, ...]) -> None:
        """A split weight's parts together are the Keras weight (a Spread's extra parts stay
        zero): a value-by-value penalty or constraint applies to each part."""
        if weight.regularizer is not None:
            if not isinstance(weight.regularizer, ELEMENTWISE_REGULARIZERS):
                raise Unmappable(f"{type(weight.regularizer).__name__} on {weight.name} has no torch rule")
            for t in tensors:
                self.penalties += penalty_terms(weight.regularizer, f"self.{attr}.{t}", None, attr)
        if weight.constraint is not None:
            if not isinstance(weight.constraint, ELEMENTWISE_CONSTRAINTS):
                raise Unmappable(f"{type(weight.constraint).__name__} on {weight.name} has no torch rule")
            for t in tensors:
                self.constraints += constraint_statements(weight.constraint, f"self.{attr}.{t}", None, attr)  # type: ignore[arg-type]

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
    output_shapes: tuple[Shape, ...] = ()
    """Every output's shape (an RNN with return_state has several)."""
    integer: tuple[bool, ...] = ()
    """Which inputs hold integers (an Embedding's indices)."""
    masks: tuple[str | None, ...] = ()
    """Each input's Keras mask: the variable holding it (boolean, (batch, steps)), or None."""
    locals: Namespace | None = None
    """forward()'s variable names, for a rule that binds several outputs."""
    variable_base: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)
    """The call's keyword options Keras recorded (MultiHeadAttention's use_causal_mask)."""
    keyword_tensors: Mapping[str, str] = field(default_factory=dict)
    """The variables holding tensors given to the call by keyword, in Keras's layout
    (MultiHeadAttention's attention_mask); a mask is in `masks`."""

    def variable(self, part: str = "") -> str:
        """A fresh forward variable named after the layer: `lstm`, `lstm_h`."""
        assert self.locals is not None, "variables are named when torch() is asked"
        return self.locals.name(f"{self.variable_base}_{part}" if part else self.variable_base)

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
    mask_policy: ClassVar[str] = "drop"
    """What the kind does with a Keras mask on its inputs, as Keras does: "drop" it (Keras's
    layers without masking support), "pass" it on (element-wise and feature-wise layers;
    merges keep where every input's mask is set), "read" it (RNNs, masked pooling: the rule
    uses `site.masks` and sets `output_masks`; also the kinds that make one), or "refuse"
    (Keras uses it, nnspec does not model that yet)."""

    def masks_for(self, config: Any) -> str:
        """The mask policy for this config (a wrapper's follows the layer it wraps)."""
        return self.mask_policy

    clears_input_masks: ClassVar[bool] = False
    """Removes the Keras masks of the tensors it is called on, for every later call
    (Keras's MultiHeadAttention does)."""
    reads_indices: ClassVar[bool] = False
    """Takes integer tensors (an Embedding's indices); other kinds refuse them."""
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


__all__ = [
    "ForwardStep",
    "KindRule",
    "Site",
    "Statement",
    "Submodule",
    "TorchBuffer",
    "TorchLayer",
    "TorchWeight",
    "Unmappable",
]
