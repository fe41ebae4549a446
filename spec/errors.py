"""Spec errors: every problem carries a path into the document, what was received,
what was expected and, where one helps, a hint. Problems are collected and raised
together as one SpecError."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

PathPart = str | int


def format_path(parts: Sequence[PathPart]) -> str:
    """('config', 'layers', 2, 'units') -> 'config.layers[2].units'."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "<document>"


def brief(value: Any, limit: int = 60) -> str:
    """A short, safe rendering of a received value for messages."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= BIG:
        return scientific(value)
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


BIG = 10**15
"""From here on a number reads better as 1.2e+17 than as 18 digits."""

_SCALES = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"))


def scientific(value: int) -> str:
    """10**40 -> '1.0e+40', rounded, however large (float() overflows past 1e308, str() past 4,300 digits)."""
    return f"{Decimal(value):.1e}"


def count_text(count: int, unit: str) -> str:
    """12345678901 -> '12,345,678,901 parameters (12.3 billion)'; past BIG, '1.0e+30 parameters'."""
    if abs(count) >= BIG:
        return f"{scientific(count)} {unit}"
    for scale, word in _SCALES:
        if abs(count) >= scale:
            return f"{count:,} {unit} ({count / scale:.1f} {word})"
    return f"{count:,} {unit}"


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """'Dence' -> "did you mean 'Dense'?" when a close match exists."""
    pool = list(choices)
    matches = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    if not matches:
        lowered = {c.lower(): c for c in pool}
        hit = lowered.get(str(word).lower())
        matches = [hit] if hit else []
    return f"did you mean {matches[0]!r}?" if matches else None


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a spec, located by `path`."""

    path: str
    message: str
    received: str | None = None
    expected: str | None = None
    hint: str | None = None

    def __str__(self) -> str:
        text = f"{self.path}: {self.message}"
        if self.expected is not None:
            text += f"; expected {self.expected}"
        if self.received is not None:
            text += f", received {self.received}"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def as_dict(self) -> dict[str, str | None]:
        return {
            "path": self.path,
            "message": self.message,
            "received": self.received,
            "expected": self.expected,
            "hint": self.hint,
        }


@dataclass
class SpecError(Exception):
    """A spec is invalid. Holds every problem found: those of structure first, then those of
    the graph (names, references, shapes) among the layers that are well formed."""

    problems: list[Problem] = field(default_factory=list)
    source: str | None = None

    def __post_init__(self) -> None:
        super().__init__(str(self))

    @classmethod
    def at(cls, path: Sequence[PathPart] | str, message: str, **details: str | None) -> SpecError:
        where = path if isinstance(path, str) else format_path(path)
        return cls([Problem(where, message, **details)])

    def __str__(self) -> str:
        head = f"{self.source}: " if self.source else ""
        count = len(self.problems)
        lines = [f"{head}{count} problem{'s' if count != 1 else ''} in spec"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


class ProblemList:
    """Collects problems while a pass walks a document, then raises them together."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, path: Sequence[PathPart] | str, message: str, **details: str | None) -> None:
        where = path if isinstance(path, str) else format_path(path)
        self.items.append(Problem(where, message, **details))

    def extend(self, error: SpecError) -> None:
        self.items.extend(error.problems)

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise SpecError(list(self.items))
