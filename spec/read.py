"""Turn bytes on disk into plain Python data, refusing anything unsafe or malformed.

Nothing here knows about Keras: it only guarantees that what comes out is a
JSON-like tree (dicts, lists, str, int, float, bool, None) of bounded size."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .errors import SpecError

if TYPE_CHECKING:
    import yaml

MAX_FILE_BYTES = 64 * 1024 * 1024
"""Architecture specs are small; a file this big is weights or a mistake."""

MAX_EXPANDED_NODES = 2_000_000
"""YAML aliases may repeat subtrees; past this many nodes after expansion we refuse
(the 'billion laughs' alias bomb)."""


_WEIGHTS_ELSEWHERE = "a spec holds the architecture only; weights go in .keras, .h5, .pt or .safetensors"


def read_file(path: str | Path, max_bytes: int = MAX_FILE_BYTES) -> Any:
    """Read a JSON or YAML file into plain data. Raises SpecError, never OSError."""
    file = Path(path)
    try:
        size = file.stat().st_size
    except FileNotFoundError:
        raise SpecError.at(str(file), "file not found") from None
    except OSError as exc:
        raise SpecError.at(str(file), f"cannot read file: {exc.strerror}") from None
    if file.is_dir():
        raise SpecError.at(str(file), "is a directory, not a spec file")
    if size > max_bytes:
        raise _too_large(file, f"{size:,} bytes", max_bytes)
    try:
        with file.open("rb") as stream:
            # st_size says nothing of a device, a FIFO or stdin: the limit holds while reading
            raw = read_bounded(stream, max_bytes)
    except OSError as exc:
        raise SpecError.at(str(file), f"cannot read file: {exc.strerror}") from None
    if raw is None:
        raise _too_large(file, f"more than {max_bytes:,} bytes", max_bytes)
    return parse_text(raw, name=str(file), fmt=_format_of(file))


def read_bounded(stream: IO[bytes], max_bytes: int) -> bytes | None:
    """All that `stream` holds, or None where that is more than `max_bytes` (never more is read)."""
    raw = stream.read(max_bytes + 1)
    return None if len(raw) > max_bytes else raw


def read_zip_member(archive: zipfile.ZipFile, member: str, max_bytes: int) -> bytes | None:
    """A zip member's bytes, or None where they pass `max_bytes`: refused from the size the
    archive declares before anything is inflated, and bounded while inflating (a declared
    size can lie). Raises KeyError where the member is absent."""
    if archive.getinfo(member).file_size > max_bytes:
        return None
    with archive.open(member) as stream:
        return read_bounded(stream, max_bytes)


def read_zipped_spec(archive: zipfile.ZipFile, member: str, max_bytes: int = MAX_FILE_BYTES) -> Any:
    """A JSON spec stored in a zip (a `.keras` file's config.json), under the limits and
    refusals of a spec file. Problems are located at `member`."""
    try:
        raw = read_zip_member(archive, member, max_bytes)
    except KeyError:
        raise SpecError.at(member, "missing from the archive", hint="a .keras file holds config.json") from None
    if raw is None:
        size = archive.getinfo(member).file_size
        received = f"{size:,} bytes" if size > max_bytes else f"more than {max_bytes:,} bytes"
        hint = "a Keras archive's config.json holds the architecture only: this one is padded, or a zip bomb"
        raise _too_large(Path(member), f"{received} once decompressed", max_bytes, hint, what="member")
    return parse_text(raw, name=member, fmt="json")


def _too_large(
    file: Path, received: str, max_bytes: int, hint: str = _WEIGHTS_ELSEWHERE, what: str = "file"
) -> SpecError:
    return SpecError.at(
        str(file),
        f"{what} is too large for an architecture spec",
        received=received,
        expected=f"at most {max_bytes:,} bytes",
        hint=hint,
    )


def _format_of(file: Path) -> str | None:
    suffix = file.suffix.lower()
    if suffix == ".json":
        return "json"
    if suffix in (".yaml", ".yml"):
        return "yaml"
    return None


def parse_text(raw: bytes | str, name: str = "<text>", fmt: str | None = None) -> Any:
    """Parse JSON or YAML text. `fmt` None means: JSON if it parses, else YAML."""
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SpecError.at(
                name,
                "file is not UTF-8 text",
                received=f"byte {raw[exc.start]:#04x} at offset {exc.start}",
                hint="is this a binary weights file? pass it with --weights instead",
            ) from None
    else:
        text = raw
    if not text.strip():
        raise SpecError.at(name, "file is empty", expected="a JSON or YAML model spec")
    if fmt == "json" or (fmt is None and text.lstrip()[:1] in "{["):
        try:
            return _parse_json(text, name)
        except SpecError:
            if fmt == "json":
                raise
    return _parse_yaml(text, name)


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


class _DuplicateKey(ValueError):
    pass


def _parse_json(text: str, name: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except _DuplicateKey as exc:
        raise SpecError.at(name, f"duplicate key {exc.args[0]!r} in a JSON object") from None
    except json.JSONDecodeError as exc:
        raise SpecError.at(
            name,
            f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
        ) from None
    except RecursionError:
        raise SpecError.at(name, "JSON nests too deeply") from None
    except ValueError as exc:  # an integer past Python's 4,300-digit limit
        raise SpecError.at(name, f"invalid JSON: {_first_sentence(exc)}") from None


def _parse_yaml(text: str, name: str) -> Any:
    import yaml  # here, not at the top: reading JSON, the usual Keras case, needs no YAML (~10 ms)

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        root = yaml.compose(text, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise SpecError.at(name, f"invalid YAML{where}: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise SpecError.at(name, f"invalid YAML: {exc}") from None
    except RecursionError:
        raise SpecError.at(name, "YAML nests too deeply") from None
    if root is None:
        raise SpecError.at(name, "file is empty", expected="a JSON or YAML model spec")
    _check_yaml_nodes(root, name)
    try:
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        raise SpecError.at(name, f"invalid YAML: {exc}") from None
    except ValueError as exc:  # an integer past Python's 4,300-digit limit
        raise SpecError.at(name, f"invalid YAML: {_first_sentence(exc)}") from None


def _first_sentence(exc: Exception) -> str:
    return str(exc).split(";")[0]


def _check_yaml_nodes(root: yaml.Node, name: str) -> None:
    """Refuse alias bombs, recursive aliases and duplicate keys before constructing."""
    import yaml

    sizes: dict[int, int] = {}
    visiting: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in visiting:
            raise SpecError.at(name, "recursive YAML alias: a node contains itself")
        visiting.add(key)
        total = 1
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode):
                    if k.value in seen and k.value != "<<":
                        line = k.start_mark.line + 1
                        raise SpecError.at(name, f"duplicate key {k.value!r} at line {line}")
                    seen.add(k.value)
                total += size(k) + size(v)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                total += size(item)
        visiting.discard(key)
        if total > MAX_EXPANDED_NODES:
            raise SpecError.at(
                name,
                "YAML aliases expand to too many nodes",
                received=f"more than {MAX_EXPANDED_NODES:,}",
                hint="this looks like an alias bomb; a model spec is far smaller",
            )
        sizes[key] = total
        return total

    try:
        size(root)
    except RecursionError:
        raise SpecError.at(name, "YAML nests too deeply") from None
