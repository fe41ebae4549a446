"""Expressions of generated torch code that know what they need.

An `Expr` is a piece of Python source plus the names it relies on beyond `torch`
and `nn` (the functional module `F`, `math`, a helper class). Rules build them from
their inputs; the emitter gathers the needs of everything it places, so nothing is
found later by searching the rendered text."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

FUNCTIONAL = "F"
"""`import torch.nn.functional as F`."""


@dataclass(frozen=True)
class Expr:
    text: str
    needs: frozenset[str] = frozenset()

    def __str__(self) -> str:
        return self.text

    def __format__(self, spec: str) -> str:
        return self.text


@dataclass(frozen=True)
class Statement:
    """A line of generated code, with the submodule it belongs to (so that a frozen
    layer's penalties and constraints can be left out) and what it needs."""

    text: str
    attr: str | None = None
    needs: frozenset[str] = frozenset()
    with_generator: str | None = None
    """The same line drawing from the local `generator` instead of torch's global one
    (a large model draws on several threads); None where it draws nothing from it."""


@dataclass(frozen=True)
class Submodule:
    """A submodule created in __init__: `self.<attr> = <constructor>`."""

    attr: str
    constructor: Expr
    shape_only: bool = False
    """Its constructor makes no tensor that reset_parameters() leaves unset, so it may
    be built on the meta device (a Conv2d, a Linear; not a module holding constants)."""


def needs_of(parts: Iterable[object]) -> frozenset[str]:
    """What the expressions among `parts` need together."""
    out: frozenset[str] = frozenset()
    for part in parts:
        if isinstance(part, Expr):
            out |= part.needs
    return out


def expr(template: str, *parts: object, needs: Iterable[str] = ()) -> Expr:
    """`template` with each `{}` replaced by a part; the parts' needs are kept. A template
    that calls `F.` needs the functional module."""
    own = set(needs)
    if template.startswith("F.") or "(F." in template or " F." in template:
        own.add(FUNCTIONAL)
    return Expr(template.format(*(str(p) for p in parts)), needs_of(parts) | frozenset(own))


def functional(name: str, *args: object, **options: object) -> Expr:
    """`F.name(args..., key=value...)`: option values are written with `str()`."""
    rendered = [str(a) for a in args] + [f"{k}={v}" for k, v in options.items()]
    return Expr(f"F.{name}({', '.join(rendered)})", needs_of(args) | {FUNCTIONAL})


@dataclass(frozen=True)
class CallExpr(Expr):
    """`function(args..., key=value...)`, its parts kept: a constructor can be given one
    more option (a large model builds torch's drawing layers with device="meta")."""

    function: str = ""
    args: tuple[str, ...] = ()
    options: tuple[tuple[str, str], ...] = ()  # (key, value) in order

    def with_option(self, key: str, value: str) -> CallExpr:
        return _call(self.function, self.args, (*self.options, (key, value)), self.needs)


def call(function: str, *args: object, needs: Iterable[str] = (), **options: object) -> CallExpr:
    """`function(args..., key=value...)`."""
    rendered = tuple((k, str(v)) for k, v in options.items())
    return _call(function, tuple(str(a) for a in args), rendered, needs_of(args) | frozenset(needs))


Options = tuple[tuple[str, str], ...]


def _call(function: str, args: tuple[str, ...], options: Options, needs: frozenset[str]) -> CallExpr:
    rendered = [*args, *(f"{k}={v}" for k, v in options)]
    return CallExpr(f"{function}({', '.join(rendered)})", needs, function, args, options)


def method(value: object, name: str, *args: object, **options: object) -> Expr:
    """`value.name(args...)`; a compound value is parenthesised first."""
    rendered = [str(a) for a in args] + [f"{k}={v}" for k, v in options.items()]
    return Expr(f"{atom(value)}.{name}({', '.join(rendered)})", needs_of([value, *args]))


def atom(value: object) -> Expr:
    """`value` as something a method or index can follow: `a + b` becomes `(a + b)`."""
    text = str(value)
    needs = value.needs if isinstance(value, Expr) else frozenset()
    return Expr(text if _is_atom(text) else f"({text})", needs)


def _is_atom(text: str) -> bool:
    depth = 0
    for i, char in enumerate(text):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif depth == 0 and ((char in " +-*/%<>=!&|,~@" and i > 0) or (char == "-" and i == 0)):
            return False
    return True


def num(value: float) -> str:
    """A float as a short, deterministic literal; float("inf") where Python has none (a
    stddev of 1e308 puts trunc_normal_'s bounds at -inf and inf)."""
    if not math.isfinite(value):
        return f'float("{value}")'
    text = f"{value:.8g}"
    return text if any(c in text for c in ".en") else text + ".0"
