"""Rendering the jinja2 file skeletons in templates/, deterministically."""

from __future__ import annotations

import io
import tokenize
from functools import cache
from importlib.resources import files
from typing import Any

import jinja2


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # Python source, not HTML: every spec string is repr()'d before it gets here
    )
    env.filters["fit"] = fit
    return env


@cache
def template(name: str) -> jinja2.Template:
    text = files("nnspec.templates").joinpath(name).read_text(encoding="utf-8")
    return _environment().from_string(text)


def render(name: str, **context: Any) -> str:
    return template(name).render(**context)


LINE_LENGTH = 120


def fit(line: str, indent: int, width: int = LINE_LENGTH) -> str:
    """Break a statement that is too long the way ruff format would: a call's
    arguments on their own line, or one per line with a trailing comma. The last
    call whose head and tail fit is split (`layers.Dense(...)(x)` splits the Dense)."""
    pad = " " * indent
    if indent + len(line) <= width:
        return line
    marks = _marks(line)
    comment = next((column for text, column in marks if text.startswith("#")), None)
    if comment is not None:  # the comment goes on its own line above the statement
        return f"{line[comment:]}\n{pad}{fit(line[:comment].rstrip(), indent, width)}"
    for opening, closing in reversed(_groups(marks)):
        head, inner, tail = line[: opening + 1], line[opening + 1 : closing], line[closing:]
        if indent + len(head) > width or indent + len(tail) > width:
            continue
        if indent + 4 + len(inner) <= width:
            return f"{head}\n{pad}    {inner}\n{pad}{tail}"
        parts = [fit(part, indent + 4, width) for part in _split_arguments(inner)]
        body = "".join(f"{pad}    {part},\n" for part in parts)
        return f"{head}\n{body}{pad}{tail}"
    return line


def _marks(text: str) -> list[tuple[str, int]]:
    """Brackets, commas and comments with their columns: Python's own tokenizer
    knows what is inside a string."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return []
    kinds = (tokenize.OP, tokenize.COMMENT)
    return [(t.string, t.start[1]) for t in tokens if t.type in kinds and t.start[0] == 1]


def _groups(marks: list[tuple[str, int]]) -> list[tuple[int, int]]:
    """(open, close) columns of the top-level parenthesised groups."""
    groups, depth, start, kind = [], 0, 0, ""
    for text, column in marks:
        if text in ("(", "[", "{"):
            if depth == 0:
                start, kind = column, text
            depth += 1
        elif text in (")", "]", "}"):
            depth -= 1
            if depth == 0 and kind == "(":
                groups.append((start, column))
    return groups


def _split_arguments(text: str) -> list[str]:
    depth, start, parts = 0, 0, []
    for mark, column in _marks(text):
        depth += mark in ("(", "[", "{")
        depth -= mark in (")", "]", "}")
        if mark == "," and depth == 0:
            parts.append(text[start:column].strip())
            start = column + 1
    parts.append(text[start:].strip())
    return [part for part in parts if part]


def rename(text: str, names: dict[str, str]) -> str:
    """`text` (one line of Python) with the variables in `names` renamed: Python's own
    tokenizer finds them, never an attribute (`self.conv`) or a keyword argument's name."""
    if not names:
        return text
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return text
    out, column = [], 0
    for i, token in enumerate(tokens):
        if token.type != tokenize.NAME or token.string not in names or token.start[0] != 1:
            continue
        before = tokens[i - 1].string if i else ""
        after = tokens[i + 1].string if i + 1 < len(tokens) else ""
        if before == "." or after == "=":
            continue
        out += [text[column : token.start[1]], names[token.string]]
        column = token.end[1]
    return "".join(out) + text[column:]
