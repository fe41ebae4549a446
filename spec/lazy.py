"""Unions of models chosen by `class_name`, each member built on first use.

pydantic builds the validator of every member of a union when the model holding the
union is built. nnspec has ~100 model classes (layer kinds, initializers, regularizers,
optimizers...) and one spec uses a handful, so building them all made most of the CLI's
start-up time. A LazyUnion reads the tag itself and validates with that one member
(every SpecModel has defer_build, so a class builds its validator once, when first
used). Errors and the JSON Schema are those of the discriminated union it replaces."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel, GetCoreSchemaHandler, GetJsonSchemaHandler, TypeAdapter
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticKnownError, core_schema

TAG = "class_name"


class LazyUnion:
    """Annotated metadata: `Annotated[A | B, LazyUnion([A, B], schema_type=...)]`.

    `before` rewrites a value first (a name into {class_name: ...}); `schema_type` is
    the eager type whose JSON Schema this one has (built only when a schema is asked for)."""

    def __init__(
        self,
        members: Sequence[type[BaseModel]],
        schema_type: Any,
        before: Callable[[Any], Any] | None = None,
        lookup: Callable[[str], type[BaseModel] | None] | None = None,
        tags: Callable[[], list[str]] | None = None,
        base: tuple[type[BaseModel], ...] = (),
    ) -> None:
        """`lookup`, `tags` and `base`: members made on demand (a member for a tag, every
        tag, the classes every member is an instance of); `schema_type` may then be a
        function returning the eager type."""
        self.members = {tag_of(cls): cls for cls in members}
        self.classes = tuple(members) + base
        self.schema_type = schema_type
        self.before = before
        self.lookup = lookup
        self.tags = tags
        self._schema: CoreSchema | None = None
        self._busy = False

    @property
    def expected(self) -> str:
        """Every tag, for an error (which may load what `tags` needs)."""
        names = list(self.members) if self.tags is None else self.tags()
        return ", ".join(repr(tag) for tag in names)

    def member(self, tag: Any) -> type[BaseModel] | None:
        if not isinstance(tag, str):
            return None
        found = self.members.get(tag)
        if found is None and self.lookup is not None:
            found = self.lookup(tag)
        return found

    def validate(self, value: Any) -> Any:
        if isinstance(value, self.classes):
            return value  # already a model (a default, or built in code)
        if self.before is not None:
            value = self.before(value)
        if not isinstance(value, dict):
            raise PydanticKnownError("model_attributes_type")
        if TAG not in value:
            raise PydanticKnownError("union_tag_not_found", {"discriminator": repr(TAG)})
        tag = value[TAG]
        member = self.member(tag)
        if member is None:
            context = {"discriminator": repr(TAG), "tag": str(tag), "expected_tags": self.expected}
            raise PydanticKnownError("union_tag_invalid", context)
        return member.model_validate(value)  # its errors keep their paths, under this field's

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_plain_validator_function(self.validate)

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        if self._schema is None:
            eager = self.schema_type() if callable(self.schema_type) and self.lookup is not None else self.schema_type
            self._schema = TypeAdapter(eager).core_schema
        if self._busy:  # the union holds itself (a nested model's layers): refer to the members
            return handler(_references(self._schema))
        self._busy = True
        try:
            return handler(self._schema)
        finally:
            self._busy = False


def tag_of(cls: type[BaseModel]) -> str:
    """The Literal a member declares for class_name."""
    annotation = cls.model_fields[TAG].annotation
    return annotation.__args__[0]  # type: ignore[union-attr]


def _references(schema: Any) -> Any:
    """`schema` with every named (ref'd) schema in it replaced by a reference to it."""
    if schema.get("type") == "definitions":
        schema = schema["schema"]
    return _swap(schema, top=True)


def _swap(node: Any, top: bool = False) -> Any:
    if isinstance(node, dict):
        if not top and "ref" in node and "type" in node:
            return core_schema.definition_reference_schema(node["ref"])
        return {key: _swap(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_swap(value) for value in node]
    return node
