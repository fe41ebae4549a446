"""The front door: text or data -> normalised -> ModelSpec -> checked Graph.

Every failure on the way is a SpecError whose paths point into the user's file."""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .errors import MAX_KEPT, PathPart, Problem, Problems, SpecError, brief, did_you_mean, format_path
from .gcpause import gc_paused
from .graph import DEFAULT_MAX_PARAMS, Graph, analyze
from .keras1 import declared_shape_problems, keras0_file
from .keras_layers import KERAS_LAYERS
from .layers import LAYER_KINDS
from .limits import DEFAULT_MAX_ACTIVATIONS, activation_problem, empty_problem, nesting_problem
from .model import MODEL_ADAPTER, FunctionalSpec, SequentialSpec
from .normalize import MODEL_CLASSES, normalize
from .read import parse_text, read_file
from .tfjs import is_tfjs, relocated, tfjs_architecture

Loc = tuple[PathPart, ...]
ModelSpecType = SequentialSpec | FunctionalSpec


@dataclass(frozen=True)
class LoadedSpec:
    """A valid spec, its analysed graph, and where it came from."""

    spec: ModelSpecType
    graph: Graph
    dialect: str
    source: str


@gc_paused()
def load(
    source: str | Path | dict[str, Any],
    max_params: int = DEFAULT_MAX_PARAMS,
    max_activations: int = DEFAULT_MAX_ACTIVATIONS,
) -> LoadedSpec:
    """Load a spec file (JSON or YAML, any dialect) or already-parsed data."""
    if isinstance(source, dict):
        return load_data(source, "<data>", max_params, max_activations)
    name = str(source)
    return load_data(read_file(source), name, max_params, max_activations)


@gc_paused()
def loads(
    text: str,
    name: str = "<text>",
    max_params: int = DEFAULT_MAX_PARAMS,
    max_activations: int = DEFAULT_MAX_ACTIVATIONS,
) -> LoadedSpec:
    return load_data(parse_text(text, name), name, max_params, max_activations)


@gc_paused()
def load_data(
    doc: Any, name: str = "<data>", max_params: int = DEFAULT_MAX_PARAMS, max_activations: int = DEFAULT_MAX_ACTIVATIONS
) -> LoadedSpec:
    try:
        return _load(doc, name, max_params, max_activations)
    except SpecError as exc:
        exc.source = exc.source or name
        raise
    except RecursionError:
        raise SpecError.at(name, "the spec nests too deeply") from None


def _load(doc: Any, name: str, max_params: int, max_activations: int) -> LoadedSpec:
    if not isinstance(doc, dict):
        raise SpecError.at(
            "<document>",
            "a model spec must be a mapping",
            received=type(doc).__name__,
            expected="an object with class_name and config",
        )
    if is_tfjs(doc):  # a TF.js model.json: the Keras model it wraps, reported as tfjs
        return _load_tfjs(doc, name, max_params, max_activations)
    _refuse_lone_surrogates(doc)
    if keras0_file(doc):
        raise SpecError.at(
            "<document>",
            "a Keras 0.x file (layers named by class in `name`, no class_name/config): nnspec reads Keras 1 and later",
            hint="load it in Keras 1 and save it again with model.to_json()",
        )
    _refuse_shapeless_layers(doc)
    too_deep = nesting_problem(doc)
    if too_deep is not None:
        raise SpecError([too_deep])
    normalized = normalize(doc)
    mapper = _PathMapper(normalized.origin)
    problems = list(normalized.problems)
    refused = _PathIndex(format_path(loc) for loc in normalized.problem_locs)  # every one, held or counted
    located: list[Loc | None] = [normalized.canonical_loc(loc) for loc in normalized.problem_locs[:MAX_KEPT]]
    more = normalized.problems.more
    errors: list[Any] | None = None
    try:
        spec = MODEL_ADAPTER.validate_python(normalized.data)
    except ValidationError as exc:
        spec = None
        entries = _layer_entries(normalized.data)
        errors = exc.errors(include_url=False) if entries is None or exc.error_count() <= MAX_KEPT else []
    if spec is None and not errors:  # broken wholesale: pydantic's whole list (1 KB an error) is never held
        found = _entry_by_entry(normalized.data, _layer_entries(normalized.data) or [], mapper, refused)
        raise SpecError(_dedupe(problems + found), more=more + found.more)
    if errors:
        walked = [_walk(err["loc"], normalized.data) for err in errors]
        found = [_problem(err, loc, owner, mapper) for err, (loc, owner) in zip(errors, walked, strict=True)]
        problems += [p for p in found if not refused.overlaps(p.path)]
        located += [loc for loc, _ in walked]
    if problems and more:  # too many for the graph checks to say anything of use
        raise SpecError(_dedupe(problems), more=more)
    if problems:  # round two: the graph problems of what did validate
        from .second_round import second_round  # only invalid specs need it

        graph_problems = second_round(normalized.data, located, mapper, max_params)
        raise SpecError(_dedupe(problems + graph_problems), more=getattr(graph_problems, "more", 0))
    assert spec is not None
    graph = analyze(spec, mapper, max_params)
    too_large = activation_problem(graph, mapper, max_activations) or empty_problem(graph, mapper)
    if too_large is not None:
        raise SpecError([too_large])
    declared = declared_shape_problems(normalized.declared_shapes, graph)
    if declared:
        raise SpecError(declared)
    return LoadedSpec(spec, graph, normalized.dialect, name)


def _load_tfjs(doc: dict[str, Any], name: str, max_params: int, max_activations: int) -> LoadedSpec:
    architecture, where = tfjs_architecture(doc)
    try:
        loaded = _load(architecture, name, max_params, max_activations)
    except SpecError as error:
        raise relocated(error, where) from None
    return dataclasses.replace(loaded, dialect="tfjs")


def _refuse_shapeless_layers(doc: dict[str, Any]) -> None:
    """A layer list of mostly entries that are no layer at all (100,000 `{}`) is refused
    from one cheap pass over it, before the normaliser copies each entry (0.7 KB apiece)."""
    config = doc.get("config")
    entries, at = (config, ("config",)) if isinstance(config, list) else (_layer_entries(doc), ("config", "layers"))
    shapeless = (i for i, entry in enumerate(entries or ()) if not isinstance(entry, dict) or "class_name" not in entry)
    first = list(itertools.islice(shapeless, MAX_KEPT + 1))
    if len(first) <= MAX_KEPT:
        return  # a few: the full checks name each with the rest of what is wrong
    problems = [
        Problem(format_path((*at, i)), "class_name is missing", expected="an object with a class_name")
        for i in first[:MAX_KEPT]
    ]
    raise SpecError(problems, more=1 + sum(1 for _ in shapeless))


def _layer_entries(data: Any) -> list[Any] | None:
    config = data.get("config") if isinstance(data, dict) else None
    layers = config.get("layers") if isinstance(config, dict) else None
    return layers if isinstance(layers, list) else None


def _entry_by_entry(data: dict[str, Any], entries: list[Any], mapper: _PathMapper, refused: _PathIndex) -> Problems:
    """The structure problems of a model validated piece by piece (the model without its
    layers, then each layer entry): only the first MAX_KEPT are held, the rest counted."""
    from .second_round import layer_adapter

    shell = {**data, "config": {**data["config"], "layers": []}}
    pieces = itertools.chain(
        [((), shell, MODEL_ADAPTER)],
        ((("config", "layers", i), entry, layer_adapter()) for i, entry in enumerate(entries)),
    )
    found = Problems()
    for prefix, piece, adapter in pieces:
        try:
            adapter.validate_python(piece)
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                loc, owner = _walk(err["loc"], piece)
                problem = _problem(err, (*prefix, *loc), owner, mapper)
                if refused.overlaps(problem.path):
                    continue
                if len(found) < MAX_KEPT:
                    found.append(problem)
                else:
                    found.more += 1
    return found


class _PathIndex:
    """Answers 'does this path lie within one of these, or one of these within it?' in time
    linear in the path ('layers[1]' and 'layers[1].units' overlap, 'layers[10]' does not)."""

    def __init__(self, paths: Iterable[str]) -> None:
        self.paths = set(paths)
        self.within = {prefix for path in self.paths for prefix in _prefixes(path)}

    def overlaps(self, path: str) -> bool:
        return path in self.within or any(prefix in self.paths for prefix in _prefixes(path))


def _prefixes(path: str) -> Iterator[str]:
    """'a.b[1]' -> 'a', 'a.b', 'a.b[1]'."""
    for index, char in enumerate(path):
        if index and char in ".[":
            yield path[:index]
    yield path


def _refuse_lone_surrogates(doc: dict[str, Any]) -> None:
    """A JSON escape can make a lone surrogate ("\\ud800"), which no UTF-8 text holds: not a
    file name, a message or generated code. Found in one pass of json's C encoder; only a
    document holding one (or something json cannot encode) is walked for the path."""
    try:
        json.dumps(doc, ensure_ascii=False).encode("utf-8")
        return
    except (UnicodeEncodeError, TypeError, ValueError):
        pass
    found = _surrogate_at(doc, ())
    if found is not None:
        loc, what = found
        raise SpecError.at(
            loc,
            f"{what} with a lone surrogate (an unpaired \\ud800-\\udfff escape)",
            hint="write the character itself, or a pair of escapes for one outside the BMP",
        )


def _surrogate_at(node: Any, loc: Loc) -> tuple[Loc, str] | None:
    """Where the first string holding a lone surrogate is, and whether it is a key."""
    if isinstance(node, str):
        return (loc, "text") if _SURROGATE.search(node) else None
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        if isinstance(key, str) and _SURROGATE.search(key):
            return loc, "a key"
        found = _surrogate_at(value, (*loc, key))
        if found is not None:
            return found
    return None


_SURROGATE = re.compile("[\ud800-\udfff]")


class _PathMapper:
    """Canonical location -> the user's path, through the normaliser's origin map."""

    def __init__(self, origin: dict[Loc, Loc]) -> None:
        self.origin = origin

    def __call__(self, loc: Loc) -> str:
        for cut in range(len(loc), 0, -1):
            prefix = tuple(loc[:cut])
            if prefix in self.origin:
                return format_path(self.origin[prefix] + tuple(loc[cut:]))
        return format_path(loc)


def _problem(err: dict[str, Any], loc: Loc, owner: Any, mapper: _PathMapper) -> Problem:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    value = err.get("input")
    where = mapper(loc)
    last = loc[-1] if loc else None
    if kind == "missing":
        return Problem(where, f"required field {last!r} is missing", hint=_owner_hint(owner))
    if kind == "extra_forbidden":
        hint = did_you_mean(str(last), _fields_of(owner))
        return Problem(where, f"unknown field {last!r}{_owner_text(owner)}", hint=hint or "Keras has no such option")
    if kind == "union_tag_invalid":
        return _unknown_class(where, ctx.get("tag"), ctx.get("expected_tags", ""))
    if kind == "union_tag_not_found":
        return Problem(where, "class_name is missing", expected="an object with a class_name")
    if kind == "nnspec_unknown_name":
        return Problem(
            where,
            err["msg"],
            received=brief(value),
            hint=did_you_mean(str(ctx.get("value")), ctx.get("choices", ())),
        )
    if kind == "nnspec_unsupported":
        return Problem(where, f"{ctx.get('reason')}", received=brief(value), expected=f"{ctx.get('default')}")
    if kind in _NOT_AN_INT:
        return Problem(where, "invalid value", received=brief(value), expected="an integer", hint=_int_hint(value))
    if kind in ("nnspec_loss_option", "nnspec_metric_option", "nnspec_name"):
        return Problem(where, err["msg"], received=brief(value))
    if kind == "literal_error":
        return Problem(where, "not an accepted value", received=brief(value), expected=f"one of {ctx.get('expected')}")
    expected = err["msg"].removeprefix("Input should be ").removeprefix("Value error, ")
    return Problem(where, "invalid value", received=brief(value), expected=expected)


_NOT_AN_INT = {"int_type", "int_parsing", "int_from_float", "int_parsing_size"}


def _int_hint(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true and false are not numbers in a spec"
    if isinstance(value, float):
        return "a number written with a decimal point or an exponent is not an integer"
    if isinstance(value, str):
        return "write the number without quotes" if value.strip().lstrip("-").isdigit() else None
    return None


def _walk(raw_loc: tuple[Any, ...], data: Any) -> tuple[Loc, Any]:
    """Follow pydantic's loc through the document, dropping union tags and other
    validator labels, and stepping into {class_name, config} where pydantic flattened it.
    Returns the document location and the layer kind whose config holds the last step."""
    loc: list[PathPart] = []
    node, kind, owner_kind = data, None, None
    for part in raw_loc:
        if isinstance(node, dict) and isinstance(node.get("class_name"), str):
            kind = node["class_name"]
        owner_kind = kind if loc and loc[-1] == "config" else None
        if isinstance(node, list) and isinstance(part, int):
            loc.append(part)
            node = node[part] if part < len(node) else None
        elif isinstance(node, dict) and part in node:
            loc.append(part)
            node = node[part]
        elif isinstance(node, dict) and isinstance(node.get("config"), dict) and part in node["config"]:
            loc += ["config", part]
            owner_kind, node = kind, node["config"][part]
        elif isinstance(node, dict) and part == node.get("class_name"):
            continue
        elif isinstance(part, str) and (not part.isidentifier() or (part in _TAGS and not _is_field(part, node))):
            continue  # a validator label ('function-after[...]') or a discriminator tag
        elif isinstance(node, dict) and isinstance(part, str):
            loc.append(part)  # a missing field
            node = None
        elif node is None or isinstance(node, str | int | float | bool):
            continue
        else:
            loc.append(part)
            node = None
    return tuple(loc), owner_kind


_TAGS = {"one", "list", "dict", "name", "object"}
"""The tags of nnspec's tensor-reference unions; 'name' is a field's name too."""


def _is_field(part: str, node: Any) -> bool:
    """A model's or layer's missing `name`, not the tag of a reference given as a name."""
    return part == "name" and isinstance(node, dict)


def _fields_of(kind: Any) -> list[str]:
    cls = LAYER_KINDS.get(kind) if isinstance(kind, str) else None
    return sorted(cls.model_fields) if cls else []


def _owner_text(kind: Any) -> str:
    return f" for {kind}" if isinstance(kind, str) and kind in LAYER_KINDS else ""


def _owner_hint(kind: Any) -> str | None:
    return f"{kind} needs it" if isinstance(kind, str) and kind in LAYER_KINDS else None


def _unknown_class(where: str, tag: Any, expected: str) -> Problem:
    expected_tags = [t.strip(" '") for t in str(expected).split(",") if t.strip()]
    if tag in ("Lambda", "TFOpLambda"):
        return Problem(
            where, "a Lambda layer holds Python code; nnspec never runs code from a spec", received=repr(tag)
        )
    layer_union = "Dense" in expected_tags
    if layer_union and tag in KERAS_LAYERS:
        return Problem(
            where,
            f"Keras layer {tag!r} is not supported by nnspec yet",
            received=repr(tag),
            hint=f"nnspec compiles {_layer_count()} Keras layer kinds and nested models (the README lists them)",
        )
    what = "layer" if layer_union else "class"
    hint = did_you_mean(str(tag), expected_tags)
    if layer_union and not hint:
        hint = "not a built-in Keras layer nnspec knows; a custom layer's code cannot be read from a spec"
    return Problem(where, f"unknown {what} {tag!r}", received=repr(tag), hint=hint)


def _layer_count() -> int:
    """The Keras layers nnspec compiles (its keras.ops operation kinds aside)."""
    return sum(1 for kind in LAYER_KINDS if "." not in kind)


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[str, str]] = set()
    out = []
    for problem in problems:
        key = (problem.path, problem.message)
        if key not in seen:
            seen.add(key)
            out.append(problem)
    return out


__all__ = ["MODEL_CLASSES", "LoadedSpec", "load", "load_data", "loads"]
