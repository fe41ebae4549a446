"""A large model's random initial values, drawn on several threads.

torch draws random values one after another, on one core (mt19937): ResNet50's 25.6M
take 0.1 to 0.2 s, most of its build. A class whose own layers hold `SHARED_FROM`
values or more splits its initialisation into up to `SHARES` runs of consecutive
layers, about equal in values, each drawn on a thread of its own from a generator
seeded from torch's global one. torch.manual_seed still fixes every value, whatever the number of cores
and whichever thread runs first (the values differ from a serial draw's, as any draw
differs from Keras's own)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..rules.expr import Statement
from .lower import ClassPlan

SHARED_FROM = 10_000_000
"""Values (its own layers', not a nested model's) from which a class draws them in
shares. Below it a serial draw takes under 0.05 s, and one reset_parameters() reads
better."""

SHARES = 4
"""At most this many shares, whatever the machine: the shares fix which generator draws
each value, so their number must not depend on the cores."""

FEWEST = 2
"""Fewer shares (one layer holding nearly every value) draw no faster than one serial
reset_parameters()."""


@dataclass(frozen=True)
class Share:
    """A method of the generated class that initialises a run of layers."""

    method: str
    doc: str
    lines: list[str]
    values: int


def draw_shares(plan: ClassPlan) -> tuple[list[Share], list[Statement]]:
    """The shares of a class's initialisation, and the statements reset_parameters()
    keeps for itself: all of them, and no shares, for a class whose own layers hold
    fewer than SHARED_FROM values (a nested model's are its own class's to draw)."""
    owner, sizes = _owners(plan)
    if any(s.attr not in owner for s in plan.init):
        return [], plan.init
    runs: dict[str, list[Statement]] = {}
    for statement in plan.init:  # a layer's statements stay together, in order
        runs.setdefault(owner[str(statement.attr)], []).append(statement)
    total = sum(sizes[layer] for layer in runs)
    if total < max(SHARED_FROM, 1):
        return [], plan.init
    grouped: list[list[str]] = [[] for _ in range(SHARES)]
    done = 0
    for layer in runs:  # consecutive runs of about total / SHARES values each
        grouped[min(SHARES - 1, (2 * done + sizes[layer]) * SHARES // (2 * total))].append(layer)
        done += sizes[layer]
    shares = []
    for layers in filter(None, grouped):
        values = sum(sizes[layer] for layer in layers)
        first, last = (str(runs[layer][0].attr) for layer in (layers[0], layers[-1]))
        span = first if len(layers) == 1 else f"{first} to {last}"
        lines = [s.with_generator or s.text for layer in layers for s in runs[layer]]
        shares.append(Share(f"_reset_share_{len(shares) + 1}", f"{span}: {count(values)} values.", lines, values))
    return (shares, []) if len(shares) >= FEWEST else ([], plan.init)


def _owners(plan: ClassPlan) -> tuple[dict[str, str], dict[str, int]]:
    """The layer owning each submodule attribute, and the values each layer holds in torch."""
    owner: dict[str, str] = {}
    sizes: dict[str, int] = {}
    for layer in plan.layers:
        for attr in (layer.attr, *layer.modules):
            if attr is not None:
                owner[attr] = layer.name
        held = sum(math.prod(w.torch_shape) for w in layer.weights) + sum(b.size for b in layer.torch_only)
        sizes[layer.name] = sizes.get(layer.name, 0) + held
    return owner, sizes


def count(values: int) -> str:
    """A number of values as the generated docstrings write it."""
    return f"{values / 1e6:.1f}M" if values >= 100_000 else f"{values:,}"
