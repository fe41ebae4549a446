"""Keras regularizers and constraints as torch expressions and statements.

Regularizers become terms of the generated module's `regularization_loss()`;
constraints become statements of `apply_constraints()`, which a training loop calls
after each optimizer step, as Keras does."""

from __future__ import annotations

from ..spec import regularizers as kr
from .kinds import Layout, Unmappable
from .torch_init import num

EPSILON = "1e-07"
"""keras.config.epsilon(), which Keras's norm constraints add to the divisor."""


def penalty(reg: object, tensor: str, layout: Layout, helpers: set[str]) -> list[str]:
    """Expressions whose sum is the Keras regularizer's loss on `tensor`."""
    if isinstance(reg, kr.L1):
        return [f"{num(reg.l1)} * {tensor}.abs().sum()"] if reg.l1 else []
    if isinstance(reg, kr.L2):
        return [f"{num(reg.l2)} * {tensor}.square().sum()"] if reg.l2 else []
    if isinstance(reg, kr.L1L2):
        return penalty(kr.L1(class_name="L1", l1=reg.l1), tensor, layout, helpers) + penalty(
            kr.L2(class_name="L2", l2=reg.l2), tensor, layout, helpers
        )
    if isinstance(reg, kr.OrthogonalRegularizer):
        helpers.add("orthogonal_penalty")
        # Keras's rows of an (in, out) kernel are the columns of torch's (out, in) weight
        dim = {"rows": 1, "columns": 0}[reg.mode]
        if layout == "transpose":
            dim = 1 - dim
        return [f"orthogonal_penalty({tensor}, {num(reg.factor)}, dim={dim})"]
    raise Unmappable(f"regularizer {type(reg).__name__} has no torch rule")


def _torch_dims(axis: int | list[int], rank: int, layout: Layout) -> tuple[int, ...]:
    axes = axis if isinstance(axis, list) else [axis]
    dims = []
    for a in axes:
        if not -rank <= a < rank:
            raise Unmappable(f"constraint axis {a} is out of range for a weight of rank {rank}")
        d = a % rank
        dims.append(rank - 1 - d if layout == "transpose" else d)
    return tuple(sorted(dims))


def constraint(con: object, tensor: str, rank: int, layout: Layout, helpers: set[str]) -> list[str]:
    """In-place statements that project `tensor` as the Keras constraint does."""
    if isinstance(con, kr.NonNeg):
        return [f"{tensor}.clamp_(min=0.0)"]
    helpers.add("l2_norm")
    dims = _torch_dims(con.axis, rank, layout)  # type: ignore[attr-defined]
    norms = f"l2_norm({tensor}, {dims})"
    if isinstance(con, kr.UnitNorm):
        return [f"{tensor}.div_({EPSILON} + {norms})"]
    if isinstance(con, kr.MaxNorm):
        return [
            f"norms = {norms}",
            f"{tensor}.mul_(norms.clamp(0.0, {num(con.max_value)}) / ({EPSILON} + norms))",
        ]
    if isinstance(con, kr.MinMaxNorm):
        wanted = f"{num(con.rate)} * norms.clamp({num(con.min_value)}, {num(con.max_value)})"
        if con.rate != 1.0:
            wanted += f" + {num(1.0 - con.rate)} * norms"
        return [f"norms = {norms}", f"{tensor}.mul_(({wanted}) / ({EPSILON} + norms))"]
    raise Unmappable(f"constraint {type(con).__name__} has no torch rule")
