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


MAX_FIELD = 300
"""A problem's message, path, value or hint past this many characters is cut in the middle:
a 10 MB layer name echoed in full, twice, made 20 MB of output."""


def clip(text: str | None, limit: int = MAX_FIELD) -> str | None:
    """'aaaa…[999,740 characters]…aaaa' for a text longer than `limit`."""
    if text is None or len(text) <= limit:
        return text
    head, tail = limit * 2 // 3, limit // 5
    return f"{text[:head]}…[{len(text) - head - tail:,} characters]…{text[-tail:]}"


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
    if len(word) > 3 * max(map(len, pool), default=0):
        return None  # no ratio reaches 0.6 (difflib took 8 s to say so of a 10 MB name)
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

    def __post_init__(self) -> None:
        for name in ("path", "message", "received", "expected", "hint"):  # frozen: set as dataclasses do
            object.__setattr__(self, name, clip(getattr(self, name)))

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


MAX_SHOWN = 50
"""Problems printed; past these a spec is broken wholesale, and the rest are counted."""
MAX_KEPT = 1000
"""Problems held in memory; past these they are only counted (a spec of 100,000 broken
layer entries holds 1,000 problems, not 100,000)."""


class Problems(list[Problem]):
    """Problems as found, and how many more were found than are held."""

    more: int = 0


@dataclass
class SpecError(Exception):
    """A spec is invalid. Holds every problem found (up to MAX_KEPT, then counted in `more`):
    those of structure first, then those of the graph (names, references, shapes) among the
    layers that are well formed."""

    problems: list[Problem] = field(default_factory=list)
    source: str | None = None
    more: int = 0
    """Problems found beyond those held."""

    def __post_init__(self) -> None:
        super().__init__(str(self))

    @classmethod
    def at(cls, path: Sequence[PathPart] | str, message: str, **details: str | None) -> SpecError:
        where = path if isinstance(path, str) else format_path(path)
        return cls([Problem(where, message, **details)])

    @property
    def count(self) -> int:
        return len(self.problems) + self.more

    def __str__(self) -> str:
        head = f"{self.source}: " if self.source else ""
        count = self.count
        lines = [f"{head}{count:,} problem{'s' if count != 1 else ''} in spec"]
        lines += [f"  - {p}" for p in self.problems[:MAX_SHOWN]]
        if count > MAX_SHOWN:
            lines.append(f"  ... and {count - MAX_SHOWN:,} more")
        return "\n".join(lines)


class ProblemList:
    """Collects problems while a pass walks a document, then raises them together. Holds
    the first MAX_KEPT; the rest are counted."""

    def __init__(self) -> None:
        self.items = Problems()

    def add(self, path: Sequence[PathPart] | str, message: str, **details: str | None) -> None:
        if len(self.items) >= MAX_KEPT:
            self.items.more += 1
            return
        where = path if isinstance(path, str) else format_path(path)
        self.items.append(Problem(where, message, **details))

    def extend(self, error: SpecError) -> None:
        room = max(MAX_KEPT - len(self.items), 0)
        self.items.extend(error.problems[:room])
        self.items.more += error.more + max(len(error.problems) - room, 0)

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise SpecError(list(self.items), more=self.items.more)
