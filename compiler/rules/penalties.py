"""Keras regularizers and constraints as torch expressions and statements.

Regularizers become terms of the generated module's `regularization_loss()`;
constraints become statements of `apply_constraints()`, which a training loop calls
after each optimizer step, as Keras does. Axis arguments are Keras's: the weight's
transfer says which torch dims hold them."""

from __future__ import annotations

from ...spec import regularizers as kr
from .errors import Unmappable
from .expr import Statement, num
from .transfer import Transfer

ELEMENTWISE_REGULARIZERS = (kr.L1, kr.L2, kr.L1L2)
"""Penalties that are sums over the values: a weight split into parts is penalised part by part."""
ELEMENTWISE_CONSTRAINTS = (kr.NonNeg,)

EPSILON = "1e-07"
"""keras.config.epsilon(), which Keras's norm constraints add to the divisor."""


def penalty_terms(reg: object, tensor: str, transfer: Transfer | None, attr: str | None = None) -> list[Statement]:
    """Expressions whose sum is the Keras regularizer's loss on `tensor`; a None transfer
    means a value in Keras's own layout (an activity regularizer's output)."""
    return [Statement(text, attr, frozenset(needs)) for text, needs in _terms(reg, tensor, transfer)]


def _terms(reg: object, tensor: str, transfer: Transfer | None) -> list[tuple[str, set[str]]]:
    if isinstance(reg, kr.L1):
        return [(f"{num(reg.l1)} * {tensor}.abs().sum()", set())] if reg.l1 else []
    if isinstance(reg, kr.L2):
        return [(f"{num(reg.l2)} * {tensor}.square().sum()", set())] if reg.l2 else []
    if isinstance(reg, kr.L1L2):
        return _terms(kr.L1(class_name="L1", l1=reg.l1), tensor, transfer) + _terms(
            kr.L2(class_name="L2", l2=reg.l2), tensor, transfer
        )
    if isinstance(reg, kr.OrthogonalRegularizer):
        rank = len(transfer.keras_shape) if transfer is not None else 2
        if rank != 2:
            raise Unmappable(f"the OrthogonalRegularizer needs a 2-D weight (Keras refuses others), not rank {rank}")
        # Keras compares the rows (or columns) of its (in, out) kernel: find that axis in torch's tensor
        axis = {"rows": 1, "columns": 0}[reg.mode]
        dim = _dims(transfer, [axis])[0]
        return [(f"orthogonal_penalty({tensor}, {num(reg.factor)}, dim={dim})", {"orthogonal_penalty"})]
    raise Unmappable(f"regularizer {type(reg).__name__} has no torch rule")


def _dims(transfer: Transfer | None, axes: list[int]) -> tuple[int, ...]:
    if transfer is None:
        return tuple(axes)
    rank = len(transfer.keras_shape)
    resolved = []
    for axis in axes:
        if not -rank <= axis < rank:
            raise Unmappable(f"constraint axis {axis} is out of range for a weight of rank {rank}")
        resolved.append(axis % rank)
    dims = transfer.torch_axes(resolved)
    if dims is None:
        raise Unmappable(f"axes {axes} of this weight are spread over several torch dims")
    return dims


def constraint_statements(con: object, tensor: str, transfer: Transfer, attr: str | None = None) -> list[Statement]:
    """In-place statements that project `tensor` as the Keras constraint does."""
    if isinstance(con, kr.NonNeg):
        return [Statement(f"{tensor}.clamp_(min=0.0)", attr)]
    axis = con.axis  # type: ignore[attr-defined]
    dims = _dims(transfer, axis if isinstance(axis, list) else [axis])
    norms = f"l2_norm({tensor}, {dims})"
    needs = frozenset({"l2_norm"})
    if isinstance(con, kr.UnitNorm):
        lines = [f"{tensor}.div_({EPSILON} + {norms})"]
    elif isinstance(con, kr.MaxNorm):
        lines = [f"norms = {norms}", f"{tensor}.mul_(norms.clamp(0.0, {num(con.max_value)}) / ({EPSILON} + norms))"]
    elif isinstance(con, kr.MinMaxNorm):
        wanted = f"{num(con.rate)} * norms.clamp({num(con.min_value)}, {num(con.max_value)})"
        if con.rate != 1.0:
            wanted += f" + {num(1.0 - con.rate)} * norms"
        lines = [f"norms = {norms}", f"{tensor}.mul_(({wanted}) / ({EPSILON} + norms))"]
    else:
        raise Unmappable(f"constraint {type(con).__name__} has no torch rule")
    return [Statement(line, attr, needs) for line in lines]
