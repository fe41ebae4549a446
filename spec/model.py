"""ModelSpec: the one form of a model the rest of nnspec knows.

Shaped like Keras's own JSON (class_name / config / inbound_nodes) with every
dialect difference already normalised away. A layer entry is a discriminated union
on class_name; a nested model is a layer like any other."""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, Literal, Union

from pydantic import Discriminator, Field, Tag, TypeAdapter, create_model

from .base import DTypeName, Int, SpecModel, unsupported
from .fit import FitConfig
from .layers import LayerConfig, all_kinds, kind_config
from .layers.base import LayerName
from .lazy import LazyUnion
from .training import CompileConfig

TensorRef = tuple[str, Annotated[Int, Field(ge=0)], Annotated[Int, Field(ge=0)]]
"""[layer name, call (node) index, output tensor index], as Keras writes it."""


def _structure_kind(value: Any) -> str:
    if isinstance(value, dict):
        return "dict"
    if isinstance(value, list | tuple) and value and isinstance(value[0], str):
        return "one"
    return "list"


TensorStructure = Annotated[
    Annotated[TensorRef, Tag("one")]
    | Annotated[list[TensorRef], Tag("list")]
    | Annotated[dict[str, TensorRef], Tag("dict")],
    Discriminator(_structure_kind),
]
"""One tensor, a list of tensors, or a dict of named tensors, as a layer or model takes them."""


class CallKwargs(SpecModel):
    """Keyword arguments Keras records for a call. Masks are not supported."""

    mask: TensorRef | None = None
    """A mask given to the call (Keras 3 writes the mask an Embedding or Masking layer made
    as a tensor of the graph): it takes the place of the mask the input carries."""
    training: bool | None = None
    use_causal_mask: bool | None = None
    """MultiHeadAttention's: each step attends to itself and the steps before it."""
    attention_mask: TensorRef | None = None
    """MultiHeadAttention's: which (query step, key step) pairs may attend, a (batch, T, S)
    tensor of the graph (nonzero: attend), combined with the inputs' masks as Keras does."""
    return_attention_scores: Annotated[
        bool | None, unsupported("returning attention scores is not supported", None)
    ] = None

    def tensors(self) -> dict[str, TensorRef]:
        """The tensors given by keyword (a mask, an attention mask), in TENSOR_KEYWORDS' order."""
        return {key: tuple(getattr(self, key)) for key in TENSOR_KEYWORDS if getattr(self, key) is not None}  # type: ignore[misc]


TENSOR_KEYWORDS = ("mask", "attention_mask")
"""Keyword arguments of a call that hold tensors of the graph."""


class CallNode(SpecModel):
    """One call of a layer (a Keras 'inbound node'): the tensors it was called on."""

    inputs: TensorStructure
    kwargs: CallKwargs = CallKwargs()

    def refs(self) -> list[TensorRef]:
        return flatten_refs(self.inputs)

    def dependencies(self) -> list[TensorRef]:
        """Every tensor the call reads: its inputs and those given by keyword."""
        return [*self.refs(), *self.kwargs.tensors().values()]


def flatten_refs(structure: Any) -> list[TensorRef]:
    if isinstance(structure, dict):
        return [tuple(v) for v in structure.values()]  # type: ignore[misc]
    if structure and isinstance(structure[0], str):
        return [tuple(structure)]  # type: ignore[list-item]
    return [tuple(v) for v in structure]  # type: ignore[misc]


class LayerEntry(SpecModel):
    """A layer in a model: its kind, its config and, in a functional model, its calls."""

    class_name: str
    config: LayerConfig
    inbound_nodes: list[CallNode] = Field(default_factory=list)

    @property
    def name(self) -> str:
        return self.config.name


@cache
def layer_entry(kind: str) -> type[LayerEntry] | None:
    """The entry model of a kind, made when a spec first uses the kind (making all of them
    at start-up cost a fifth of nnspec's start-up)."""
    config = kind_config(kind)
    if config is None:
        return None
    return create_model(
        f"{kind}Layer",
        __base__=LayerEntry,
        __doc__=config.__doc__,
        class_name=(Literal[kind], ...),  # type: ignore[valid-type]
        config=(config, ...),
    )


def _all_entries() -> list[type[LayerEntry]]:
    return [entry for kind in sorted(all_kinds()) if (entry := layer_entry(kind)) is not None]


class SequentialConfig(SpecModel):
    name: LayerName
    trainable: bool = True
    dtype: DTypeName | None = None
    layers: list[Layer]


class FunctionalConfig(SpecModel):
    name: LayerName
    trainable: bool = True
    dtype: DTypeName | None = None
    layers: list[Layer]
    input_layers: TensorStructure
    output_layers: TensorStructure


class _ModelEntry(SpecModel):
    inbound_nodes: list[CallNode] = Field(default_factory=list)
    compile_config: CompileConfig | None = None
    fit_config: FitConfig | None = None

    @property
    def name(self) -> str:
        return self.config.name  # type: ignore[attr-defined]


class SequentialSpec(_ModelEntry):
    """A stack of layers, each feeding the next."""

    class_name: Literal["Sequential"]
    config: SequentialConfig


class FunctionalSpec(_ModelEntry):
    """A graph of layers: each layer's inbound_nodes say what it is called on."""

    class_name: Literal["Functional"]
    config: FunctionalConfig


def _layer_union() -> Any:
    """Every layer entry, as one discriminated union: for the JSON Schema only."""
    members = (*_all_entries(), SequentialSpec, FunctionalSpec)
    return Annotated[Union[members], Field(discriminator="class_name")]  # type: ignore[valid-type]  # noqa: UP007


Layer = Annotated[
    LayerEntry | SequentialSpec | FunctionalSpec,
    LazyUnion(
        (SequentialSpec, FunctionalSpec),
        schema_type=_layer_union,
        lookup=layer_entry,
        tags=lambda: [*sorted(all_kinds()), "Sequential", "Functional"],
        base=(LayerEntry,),
    ),
]
"""One layer entry: validated with its own kind's model only, made on first use."""
ModelSpec = Annotated[SequentialSpec | FunctionalSpec, Field(discriminator="class_name")]
"""A whole model: a Sequential or Functional spec."""


MODEL_ADAPTER: TypeAdapter[SequentialSpec | FunctionalSpec] = TypeAdapter(ModelSpec)
