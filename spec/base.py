"""Shared building blocks of the spec language's pydantic models."""

from __future__ import annotations

import re
import struct
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, GetJsonSchemaHandler, Strict, model_serializer
from pydantic_core import PydanticCustomError

from .lazy import LazyUnion, tag_of


class SpecModel(BaseModel):
    """Every spec model: immutable, and unknown fields are errors, never ignored. A float
    field refuses NaN and infinity (an initializer's NaN bound means nothing, and reached
    the generated code as the name `nan`); an operation's constants allow them."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", validate_default=False, defer_build=True, allow_inf_nan=False
    )


Int = Annotated[int, Strict()]
"""An integer field: `4`, never `true` (a bool is an int to Python, not to Keras), nor `4.0` or `"4"`."""

SeedInt = Annotated[int, Strict(), Field(ge=-(2**63), le=2**63 - 1)]
"""A seed both frameworks take: Keras makes it an int64 tensor (2**64 - 1 fails there)."""


def unsupported(reason: str, default: Any = None) -> BeforeValidator:
    """A Keras field that nnspec reads but cannot honour: only its default is accepted."""

    def check(value: Any) -> Any:
        if value != default:
            raise PydanticCustomError(
                "nnspec_unsupported",
                "{reason}; only {default} is supported, received {value}",
                {"reason": reason, "default": repr(default), "value": repr(value)[:60]},
            )
        return value

    return BeforeValidator(check)


DTypeName = Literal[
    "float16",
    "float32",
    "float64",
    "bfloat16",
    "mixed_float16",
    "mixed_bfloat16",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "bool",
]
"""Keras dtype policy names (a policy object is normalised to its name at load)."""


def snake_case(name: str) -> str:
    """Keras's own rule for default names: 'BatchNormalization' -> 'batch_normalization'."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub("([a-z])([A-Z])", r"\1_\2", name)
    return name.lower()


class KerasObject(SpecModel):
    """A Keras object serialised as {class_name, config}: initializers, regularizers...

    Subclasses declare `class_name` as a Literal and their config fields directly;
    the wire form keeps Keras's {class_name, config} nesting."""

    @model_serializer(mode="wrap")
    def _nest_config(self, handler: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
        data = handler(self)
        name = data.pop("class_name")
        return {"class_name": name, "config": data}

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: GetJsonSchemaHandler) -> dict[str, Any]:
        """Describe the wire form {class_name, config: {...}}, not the flattened model."""
        flat = handler.resolve_ref_schema(handler(core_schema))
        properties = dict(flat.get("properties", {}))
        class_name = properties.pop("class_name")
        config = {"type": "object", "properties": properties, "additionalProperties": False}
        required = [r for r in flat.get("required", []) if r != "class_name"]
        if required:
            config["required"] = required
        schema = {
            "type": "object",
            "title": flat.get("title", cls.__name__),
            "properties": {"class_name": class_name, "config": config},
            "required": ["class_name", "config"] if required else ["class_name"],
            "additionalProperties": False,
        }
        if cls.__doc__:
            schema["description"] = cls.__doc__.strip().splitlines()[0]
        return schema


def keras_object_union(classes: list[type[KerasObject]], aliases: Mapping[str, str], what: str) -> Any:
    """A pydantic type accepting a Keras object by name ('he_normal') or as
    {class_name, config}, validated into one of `classes` (each built on first use)."""
    by_name = {tag_of(c): c for c in classes}
    lookup = {name.lower(): name for name in by_name} | {k.lower(): v for k, v in aliases.items()}

    def flatten(value: Any) -> Any:
        if isinstance(value, str):
            name = lookup.get(value.lower())
            if name is None:
                raise PydanticCustomError(
                    "nnspec_unknown_name",
                    "unknown {what} '{value}'",
                    {"what": what, "value": value, "choices": sorted(aliases) + sorted(by_name)},
                )
            return {"class_name": name}
        if isinstance(value, dict) and "class_name" in value:
            name = value["class_name"]
            if isinstance(name, str):
                name = lookup.get(name.lower(), name)
            config = value.get("config") or {}
            extra = set(value) - {"class_name", "config", "module", "registered_name"}
            if extra or not isinstance(config, dict):
                return value  # let pydantic report the odd shape precisely
            return {"class_name": name, **config}
        return value

    union = Annotated[Union[tuple(classes)], Field(discriminator="class_name")]  # noqa: UP007
    spellings = set(by_name) | {name.lower() for name in by_name} | set(aliases)
    names = Literal[tuple(sorted(spellings))]  # type: ignore[misc]
    return Annotated[union, LazyUnion(classes, schema_type=names | union, before=flatten)]


def tidy_float(value: float) -> float:
    """0.0010000000474974513 (a float32 printed as float64) -> 0.001."""
    try:
        target = struct.pack("f", value)
    except (OverflowError, struct.error):
        return value
    if struct.unpack("f", target)[0] != value:
        return value
    for digits in range(1, 10):
        short = float(f"{value:.{digits}g}")
        if struct.pack("f", short) == target:
            return short
    return value
