"""What every layer kind shares: the config base, shapes, parameter counts and the
registry that ties a Keras class_name to its meaning."""

from __future__ import annotations

import math
from collections.abc import ItemsView, Iterator, KeysView, Mapping, Sequence, ValuesView
from dataclasses import dataclass, replace
from typing import Annotated, Any, ClassVar, Literal, Protocol, TypeVar

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from ..base import DTypeName, SpecModel
from ..regularizers import Regularizer

V = TypeVar("V")
Shape = tuple[int | None, ...]
"""A tensor shape including the batch axis; None is an unknown size."""


class ShapeError(ValueError):
    """A layer cannot take the shapes it is called on. The message says why."""


@dataclass(frozen=True)
class WeightSpec:
    """One weight of a layer, as Keras's `build()` creates it: its variable name, its
    Keras shape, and how it is initialised, penalised and constrained. A kind declares
    its weights once, in Keras's order; counts, the Keras import, initialisation,
    penalties and constraints all read that one list."""

    name: str
    """The variable's name in `layer.weights` ('kernel', 'moving_mean')."""
    shape: tuple[int, ...]
    initializer: Any = None
    trainable: bool = True
    """False for Keras's non-trainable weights (BatchNormalization's moving statistics)."""
    regularizer: Any = None
    constraint: Any = None
    keeps_trainable: bool = False
    """A weight that a frozen layer leaves trainable: Keras makes an activation layer
    object's weights (Dense(activation=PReLU())) on the first call, after the freeze."""
    owner: str = ""
    """The attribute of the sub-layer holding it ('activation' for Dense(activation=PReLU())),
    "" for the layer's own: where Keras saves it."""

    @property
    def size(self) -> int:
        return math.prod(self.shape)


@dataclass(frozen=True)
class ParamCount:
    """Parameters a layer holds, counted as Keras counts them (its non-trainable
    weights, such as BatchNormalization's moving statistics, are parameters too)."""

    trainable: int = 0
    non_trainable: int = 0

    @property
    def total(self) -> int:
        return self.trainable + self.non_trainable

    @classmethod
    def of(cls, weights: Sequence[WeightSpec]) -> ParamCount:
        trainable = sum(w.size for w in weights if w.trainable)
        return cls(trainable, sum(w.size for w in weights) - trainable)

    def frozen(self) -> ParamCount:
        """The same weights in a model with trainable=False."""
        return ParamCount(0, self.total)

    def __add__(self, other: ParamCount) -> ParamCount:
        return ParamCount(self.trainable + other.trainable, self.non_trainable + other.non_trainable)


NO_PARAMS = ParamCount()


def _no_slash(name: str) -> str:
    if "/" in name:
        raise PydanticCustomError(
            "nnspec_name", "a name cannot contain '/': Keras 3 refuses it (it separates weight paths)"
        )
    return name


LayerName = Annotated[str, Field(min_length=1, max_length=256), AfterValidator(_no_slash)]


class LayerConfig(SpecModel):
    """Fields every Keras layer has. Subclasses add their own, with Keras's defaults."""

    kind: ClassVar[str]
    merges: ClassVar[bool] = False
    """True for layers called on a list of tensors (Concatenate, Add, ...)."""
    positional: ClassVar[bool] = False
    """True for layers called on several tensors as arguments (MultiHeadAttention(query, value))."""
    keras_module: ClassVar[str] = "keras.layers"
    """Where Keras defines the class (keras.applications' own layers are not in keras.layers)."""

    name: LayerName
    trainable: bool = True
    dtype: DTypeName = "float32"
    activity_regularizer: Regularizer | None = None

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        """The output shape for these input shapes; identity unless overridden."""
        return self.single(inputs)

    def output_shapes(self, inputs: Sequence[Shape]) -> tuple[Shape, ...]:
        """Every output's shape: one, unless the kind returns several (an RNN's states)."""
        return (self.output_shape(inputs),)

    def check_keyword_tensors(self, inputs: Sequence[Shape], given: dict[str, Shape]) -> None:
        """Check the tensors given to a call by keyword (besides a mask, which any layer
        takes): only MultiHeadAttention takes one, its attention_mask."""
        if "attention_mask" in given:
            raise ShapeError(f"{self.kind} takes no attention_mask")

    def index_bound(self) -> int | None:
        """For a kind that reads integer indices (an Embedding), how many there are."""
        return None

    @classmethod
    def from_keras2(cls, config: dict[str, Any]) -> None:
        """Rewrite, in place, what tf.keras 2 wrote for this kind in Keras 3's terms (fields
        it wrote that carry no meaning, old spellings). Called at load, for Keras 2 files."""

    def build_weights(self, inputs: Sequence[Shape]) -> list[WeightSpec]:
        """The weights Keras's build() makes for these input shapes, in its order.
        Trainability is the weight's own; `weights` applies the layer's freeze."""
        return []

    def weights(self, inputs: Sequence[Shape]) -> list[WeightSpec]:
        """The layer's weights on these inputs, frozen where the layer is."""
        made = self.build_weights(inputs)
        if self.trainable:
            return made
        return [w if w.keeps_trainable else replace(w, trainable=False) for w in made]

    def count_params(self, inputs: Sequence[Shape]) -> ParamCount:
        return ParamCount.of(self.weights(inputs))

    def single(self, inputs: Sequence[Shape]) -> Shape:
        if len(inputs) != 1:
            raise ShapeError(f"{self.kind} takes one input tensor, got {len(inputs)}")
        return inputs[0]


class LayerObject(SpecModel):
    """A layer given as another layer's field (Bidirectional's and TimeDistributed's
    `layer`): {class_name, config}, as Keras serialises it there."""

    class_name: str
    config: LayerConfig


def object_model(base: type[LayerObject], config: type[LayerConfig]) -> type[LayerObject]:
    """The {class_name, config} model of one kind, as a member of a union of `base`s."""
    from pydantic import create_model

    return create_model(
        f"{config.kind}Object",
        __base__=base,
        class_name=(Literal[config.kind], ...),  # type: ignore[valid-type]
        config=(config, ...),
    )


class FamilyRegistry(dict[str, V]):
    """A name -> value table that the family modules fill as they are imported. Looking up
    a name not there yet imports the family defining it (`loader`, set by the package:
    most specs name two or three families of fourteen); iterating or counting imports all
    families first, so the table then reads as if every family had been loaded eagerly."""

    loader: FamilyLoader | None = None

    def _has(self, name: object) -> bool:
        if super().__contains__(name):
            return True
        loader = FamilyRegistry.loader
        return loader is not None and isinstance(name, str) and loader.family_of(name) and super().__contains__(name)

    def __contains__(self, name: object) -> bool:
        return self._has(name)

    def __getitem__(self, name: str) -> V:
        self._has(name)
        return super().__getitem__(name)

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        return super().__getitem__(name) if self._has(name) else default

    def complete(self) -> FamilyRegistry[V]:
        if FamilyRegistry.loader is not None:
            FamilyRegistry.loader.every_family()
        return self

    def __iter__(self) -> Iterator[str]:
        return super(FamilyRegistry, self.complete()).__iter__()

    def __len__(self) -> int:
        return super(FamilyRegistry, self.complete()).__len__()

    def keys(self) -> KeysView[str]:  # type: ignore[override]
        return super(FamilyRegistry, self.complete()).keys()

    def values(self) -> ValuesView[V]:  # type: ignore[override]
        return super(FamilyRegistry, self.complete()).values()

    def items(self) -> ItemsView[str, V]:  # type: ignore[override]
        return super(FamilyRegistry, self.complete()).items()


class FamilyLoader(Protocol):
    def family_of(self, name: str) -> bool:
        """Import the family that defines `name` (a kind or an alias); False if none is left to import."""

    def every_family(self) -> None: ...


LAYER_KINDS: FamilyRegistry[type[LayerConfig]] = FamilyRegistry()
LAYER_ALIASES: FamilyRegistry[str] = FamilyRegistry()
"""Other class_names Keras files use for a kind ('Convolution2D' for Conv2D), read as the kind."""


LAYER_VARIANTS: FamilyRegistry[tuple[str, dict[str, Any]]] = FamilyRegistry()
"""Old class_names that are a kind with some fields fixed (tf.keras 1.x's CuDNNGRU: a GRU
with tanh, sigmoid and reset_after), read as the kind with those fields."""


def layer_kind(class_name: str, aliases: Sequence[str] = (), variants: Mapping[str, dict[str, Any]] | None = None):
    """Register a config class as the meaning of a Keras class_name (and its aliases and
    fixed-field variants)."""
    variants = dict(variants or {})

    def register(cls: type[LayerConfig]) -> type[LayerConfig]:
        for name in (class_name, *aliases, *variants):  # as registered so far: a lookup would import the family again
            if any(dict.__contains__(registry, name) for registry in (LAYER_KINDS, LAYER_ALIASES, LAYER_VARIANTS)):
                raise ValueError(f"layer kind {name!r} is registered twice")
        cls.kind = class_name
        LAYER_KINDS[class_name] = cls
        LAYER_ALIASES.update(dict.fromkeys(aliases, class_name))
        LAYER_VARIANTS.update({name: (class_name, fixed) for name, fixed in variants.items()})
        return cls

    return register


# -- shape helpers --------------------------------------------------------------


def show(shape: Shape) -> str:
    """(None, 4) as Keras prints it."""
    inner = ", ".join("None" if d is None else str(d) for d in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


def known(dim: int | None, what: str) -> int:
    if dim is None:
        raise ShapeError(f"{what} must be known, got None")
    return dim


def product(dims: Sequence[int | None]) -> int | None:
    return None if any(d is None for d in dims) else math.prod(dims)  # type: ignore[arg-type]


def resolve_axis(axis: int, rank: int, what: str = "axis") -> int:
    """A Keras axis (may be negative) as a non-negative index into a shape of `rank`."""
    if not -rank <= axis < rank:
        raise ShapeError(f"{what} {axis} is out of range for a tensor of rank {rank}")
    return axis % rank
