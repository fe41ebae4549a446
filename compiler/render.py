"""Rendering the jinja2 file skeletons in templates/, deterministically."""

from __future__ import annotations

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
    for opening, closing in reversed(_groups(line)):
        head, inner, tail = line[: opening + 1], line[opening + 1 : closing], line[closing:]
        if indent + len(head) > width or indent + len(tail) > width:
            continue
        if indent + 4 + len(inner) <= width:
            return f"{head}\n{pad}    {inner}\n{pad}{tail}"
        parts = [fit(part, indent + 4, width) for part in _split_arguments(inner)]
        body = "".join(f"{pad}    {part},\n" for part in parts)
        return f"{head}\n{body}{pad}{tail}"
    return line


def _groups(line: str) -> list[tuple[int, int]]:
    """(open, close) indices of the top-level bracket groups, outside strings."""
    groups, depth, quote, start = [], 0, "", 0
    i = 0
    while i < len(line):
        char = line[i]
        if quote:
            if char == "\\":
                i += 1
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in "([{":
            if depth == 0:
                start = i
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0 and line[start] == "(":
                groups.append((start, i))
        i += 1
    return groups


def _split_arguments(text: str) -> list[str]:
    parts, depth, quote, start = [], 0, "", 0
    i = 0
    while i < len(text):
        char = text[i]
        if quote:
            if char == "\\":
                i += 1
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
        i += 1
    parts.append(text[start:].strip())
    return [p for p in parts if p]
