"""Keras initializers as torch.nn.init statements.

Fans are computed from the Keras weight shape, as Keras computes them, so a torch
module draws from the same distribution as its Keras twin. Where torch's own fan
rule agrees (a Linear weight), the idiomatic call is used; elsewhere the bounds are
written out as numbers."""

from __future__ import annotations

import math
from collections.abc import Callable

from ..spec import initializers as ki
from .kinds import Unmappable

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


def num(value: float) -> str:
    """A float as a short, deterministic literal."""
    text = f"{value:.8g}"
    return text if any(c in text for c in ".en") else text + ".0"


# name -> (scale, mode, distribution) of the VarianceScaling family
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
    low, high = init.mean - 2 * init.stddev, init.mean + 2 * init.stddev
    return f"nn.init.trunc_normal_({t}, mean={num(init.mean)}, std={num(init.stddev)}, a={num(low)}, b={num(high)}{g})"


def _identity(init: ki.Identity, t: str, shape: tuple[int, ...]) -> str:
    if len(shape) != 2:
        raise Unmappable(f"the Identity initializer needs a 2-D weight, not one of shape {shape}")
    eye = f"nn.init.eye_({t})"
    return eye if init.gain == 1.0 else f"{eye}.mul_({num(init.gain)})"


_SIMPLE: dict[type, Callable[..., str]] = {
    ki.Zeros: lambda i, t, g: f"nn.init.zeros_({t})",
    ki.Ones: lambda i, t, g: f"nn.init.ones_({t})",
    ki.Constant: lambda i, t, g: f"nn.init.constant_({t}, {num(i.value)})",
    ki.RandomNormal: lambda i, t, g: f"nn.init.normal_({t}, mean={num(i.mean)}, std={num(i.stddev)}{g})",
    ki.RandomUniform: lambda i, t, g: f"nn.init.uniform_({t}, {num(i.minval)}, {num(i.maxval)}{g})",
    ki.TruncatedNormal: _truncated,
    ki.Orthogonal: lambda i, t, g: f"nn.init.orthogonal_({t}, gain={num(i.gain)}{g})",
}


def init_statement(init: object, tensor: str, keras_shape: tuple[int, ...], torch_fans_agree: bool = False) -> str:
    """The statement that initialises `tensor` (a torch expression) as `init` would
    initialise a Keras weight of `keras_shape`."""
    g = _generator(init)
    kind = type(init)
    if torch_fans_agree and kind in _IDIOMATIC:
        return _IDIOMATIC[kind].format(t=tensor, g=g)
    if kind in _FAN_SCALED:
        scale, mode, distribution = _FAN_SCALED[kind]
        return _variance_scaling(scale, mode, distribution, keras_shape, tensor, g)
    if isinstance(init, ki.VarianceScaling):
        return _variance_scaling(init.scale, init.mode, init.distribution, keras_shape, tensor, g)
    if isinstance(init, ki.Identity):
        return _identity(init, tensor, keras_shape)
    if isinstance(init, ki.Orthogonal) and len(keras_shape) < 2:
        raise Unmappable(f"the Orthogonal initializer needs a weight of rank 2 or more, not {keras_shape}")
    return _SIMPLE[kind](init, tensor, g)
