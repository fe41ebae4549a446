"""Keras initializers as torch.nn.init statements.

Fans come from the Keras weight shape, as Keras computes them, so a torch tensor is
drawn from the same distribution as its Keras twin whatever its layout. Where torch's
own fan rule gives the same fans for the torch tensor (a Linear or Conv weight), the
idiomatic call is used; elsewhere the bounds are written out as numbers. An
initializer with structure (Orthogonal, Identity) draws in Keras's shape and is moved
to torch's layout by the weight's transfer."""

from __future__ import annotations

import math
from collections.abc import Callable

from ...spec import initializers as ki
from .errors import Unmappable
from .expr import Statement, num
from .transfer import Permute, Transfer

TRUNCATION = 0.87962566103423978
"""stddev of a standard normal truncated at +-2, which Keras divides out."""


def compute_fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """Keras's fan-in and fan-out of a weight shape."""
    if not shape:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


def torch_fans(shape: tuple[int, ...]) -> tuple[int, int] | None:
    """torch.nn.init's fans (dim 1 in, dim 0 out, times the rest); None below rank 2."""
    if len(shape) < 2:
        return None
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


# the VarianceScaling family: (scale, mode, distribution)
_FAN_SCALED: dict[type, tuple[float, str, str]] = {
    ki.GlorotNormal: (1.0, "fan_avg", "truncated_normal"),
    ki.GlorotUniform: (1.0, "fan_avg", "uniform"),
    ki.HeNormal: (2.0, "fan_in", "truncated_normal"),
    ki.HeUniform: (2.0, "fan_in", "uniform"),
    ki.LecunNormal: (1.0, "fan_in", "truncated_normal"),
    ki.LecunUniform: (1.0, "fan_in", "uniform"),
}

# Exact idiomatic calls, valid where torch computes the same fans as Keras.
_IDIOMATIC: dict[type, str] = {
    ki.GlorotUniform: "nn.init.xavier_uniform_({t}{g})",
    ki.HeUniform: 'nn.init.kaiming_uniform_({t}, nonlinearity="relu"{g})',
    ki.LecunUniform: 'nn.init.kaiming_uniform_({t}, nonlinearity="linear"{g})',
}


GENERATOR = "generator"
"""The local a statement's `with_generator` form draws from."""


def _generator(init: object) -> str:
    seed = getattr(init, "seed", None)
    return "" if seed is None else f", generator=torch.Generator().manual_seed({int(seed)})"


def _variance_scaling(scale: float, mode: str, distribution: str, shape: tuple[int, ...], t: str, g: str) -> str:
    fan_in, fan_out = compute_fans(shape)
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
    scale /= max(1.0, n)
    if distribution == "truncated_normal":
        std = math.sqrt(scale) / TRUNCATION
        return f"nn.init.trunc_normal_({t}, std={num(std)}, a={num(-2 * std)}, b={num(2 * std)}{g})"
    if distribution == "untruncated_normal":
        return f"nn.init.normal_({t}, std={num(math.sqrt(scale))}{g})"
    limit = math.sqrt(3.0 * scale)
    return f"nn.init.uniform_({t}, {num(-limit)}, {num(limit)}{g})"


def _truncated(init: ki.TruncatedNormal, t: str, g: str) -> str:
    if init.stddev == 0:  # Keras draws the mean; torch's trunc_normal_ divides by the stddev
        return f"nn.init.constant_({t}, {num(init.mean)})"
    low, high = init.mean - 2 * init.stddev, init.mean + 2 * init.stddev
    return f"nn.init.trunc_normal_({t}, mean={num(init.mean)}, std={num(init.stddev)}, a={num(low)}, b={num(high)}{g})"


_ELEMENTWISE: dict[type, Callable[..., str]] = {
    ki.Zeros: lambda i, t, g: f"nn.init.zeros_({t})",
    ki.Ones: lambda i, t, g: f"nn.init.ones_({t})",
    ki.Constant: lambda i, t, g: f"nn.init.constant_({t}, {num(i.value)})",
    ki.RandomNormal: lambda i, t, g: f"nn.init.normal_({t}, mean={num(i.mean)}, std={num(i.stddev)}{g})",
    ki.RandomUniform: lambda i, t, g: f"nn.init.uniform_({t}, {num(i.minval)}, {num(i.maxval)}{g})",
    ki.TruncatedNormal: _truncated,
}
"""Initializers that draw every value alike: the torch tensor's layout does not matter."""


_DRAWS_NOTHING = (ki.Zeros, ki.Ones, ki.Constant, ki.Identity)


def draws_by_fans(init: object) -> bool:
    """Whether the initializer is of the VarianceScaling family: only the fans of the
    weight's shape matter (Keras 3 computes a projection kernel's over its input and
    output axes, as for the 2-D matrix it acts as)."""
    return type(init) in _FAN_SCALED or isinstance(init, ki.VarianceScaling)


def draws_alike(init: object) -> bool:
    """Whether the initializer draws every value alike (no fans, no structure): a weight
    held in several torch tensors can be initialised tensor by tensor."""
    return type(init) in _ELEMENTWISE


def init_statement(init: object, tensor: str, transfer: Transfer, attr: str | None = None) -> Statement:
    """The statement that initialises `tensor` (a torch expression, held as `transfer`
    says) as `init` initialises the Keras weight. An initializer without a seed of its own
    draws from torch's global generator, or from a given one in its `with_generator` form;
    one with a seed has its own generator, as Keras's has."""
    own = _generator(init)
    text = _statement(init, tensor, transfer, own)
    if own or isinstance(init, _DRAWS_NOTHING):
        return Statement(text, attr)
    given = _statement(init, tensor, transfer, f", generator={GENERATOR}")
    return Statement(text, attr, with_generator=given if given != text else None)


def _statement(init: object, t: str, transfer: Transfer, g: str) -> str:
    shape = transfer.keras_shape
    kind = type(init)
    if kind in _IDIOMATIC and torch_fans(transfer.torch_shape) == compute_fans(shape) and len(shape) >= 2:
        return _IDIOMATIC[kind].format(t=t, g=g)
    if kind in _FAN_SCALED:
        scale, mode, distribution = _FAN_SCALED[kind]
        return _variance_scaling(scale, mode, distribution, shape, t, g)
    if isinstance(init, ki.VarianceScaling):
        return _variance_scaling(init.scale, init.mode, init.distribution, shape, t, g)
    if isinstance(init, ki.Identity):
        return _identity(init, t, transfer)
    if isinstance(init, ki.Orthogonal):
        return _orthogonal(init, t, transfer, g)
    return _ELEMENTWISE[kind](init, t, g)


def _as_matrix(transfer: Transfer) -> bool:
    """A 2-D weight held as it is or transposed: a structured draw on the torch tensor
    itself has Keras's distribution (the transpose of a Haar-orthogonal or identity
    matrix is one too)."""
    return len(transfer.keras_shape) == 2 and transfer.steps in ((), (Permute((1, 0)),))


def _rows_or_columns_moved(transfer: Transfer) -> bool:
    """A 2-D weight held as a 2-D tensor whose rows are Keras's rows or columns, each
    whole and in order, perhaps reordered (GRU's gate blocks, then a transpose): a
    Haar-orthogonal matrix with its rows or columns permuted is Haar-orthogonal too."""
    import numpy as np

    shape = transfer.keras_shape
    if len(shape) != 2 or len(transfer.torch_shape) != 2:
        return False
    cells = np.arange(shape[0] * shape[1]).reshape(shape)
    held = transfer.to_torch(cells)
    rows, columns = {tuple(r) for r in cells}, {tuple(c) for c in cells.T}
    return all(tuple(r) in rows for r in held) or all(tuple(r) in columns for r in held)


def _orthogonal(init: ki.Orthogonal, t: str, transfer: Transfer, g: str) -> str:
    shape = transfer.keras_shape
    if len(shape) < 2:
        raise Unmappable(f"the Orthogonal initializer needs a weight of rank 2 or more, not {shape}")
    if _as_matrix(transfer) or _rows_or_columns_moved(transfer):
        return f"nn.init.orthogonal_({t}, gain={num(init.gain)}{g})"
    # Keras makes a (prod(shape[:-1]), shape[-1]) orthogonal matrix and reshapes it
    matrix = f"torch.empty({math.prod(shape[:-1])}, {shape[-1]})"
    drawn = f"nn.init.orthogonal_({matrix}, gain={num(init.gain)}{g}).reshape{shape}"
    return f"{t}.copy_({transfer.source(drawn)})"


def _identity(init: ki.Identity, t: str, transfer: Transfer) -> str:
    if len(transfer.keras_shape) != 2 or not _as_matrix(transfer):
        raise Unmappable(f"the Identity initializer needs a 2-D weight, not one of shape {transfer.keras_shape}")
    eye = f"nn.init.eye_({t})"
    return eye if init.gain == 1.0 else f"{eye}.mul_({num(init.gain)})"
