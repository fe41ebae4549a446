"""The torch module initialises its weights from the same distributions as Keras.

One functional model holds a Dense(64) on a 128-wide input per initializer (8,192
samples each), another the 1-D weights of BatchNormalization, PReLU and
LayerNormalization on an 8,192-wide input (and a rank-3 PReLU with a 2-D alpha).
Each is built once in Keras and once in torch (seeded); for every weight, each
framework's sample is checked against the distribution Keras's formulas give:
mean, standard deviation, bounds, and a Kolmogorov-Smirnov test where scipy is
installed. Orthogonal and Identity are checked exactly."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

pytestmark = [pytest.mark.keras, pytest.mark.torch]

FAN_IN, UNITS = 128, 64
WIDE = 8192
TRUNCATION = 0.87962566103423978  # std of a standard normal truncated at +-2


@dataclass(frozen=True)
class Expected:
    """A distribution: 'normal', 'truncated' (at +-2 of its parameter `std`), 'uniform' or 'constant'."""

    kind: str
    mean: float = 0.0
    std: float = 0.0  # the parameter: the normal's sigma before truncation
    low: float = 0.0  # uniform bounds
    high: float = 0.0
    value: float = 0.0

    @property
    def actual_std(self) -> float:
        if self.kind == "truncated":
            return self.std * TRUNCATION
        if self.kind == "uniform":
            return (self.high - self.low) / math.sqrt(12)
        if self.kind == "constant":
            return 0.0
        return self.std

    @property
    def actual_mean(self) -> float:
        if self.kind == "uniform":
            return (self.low + self.high) / 2
        return self.value if self.kind == "constant" else self.mean


def _scaled(scale: float, mode: str, distribution: str, fan_in: int, fan_out: int) -> Expected:
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
    variance = scale / max(1.0, n)
    if distribution == "truncated_normal":
        return Expected("truncated", std=math.sqrt(variance) / TRUNCATION)
    if distribution == "untruncated_normal":
        return Expected("normal", std=math.sqrt(variance))
    limit = math.sqrt(3 * variance)
    return Expected("uniform", low=-limit, high=limit)


def _obj(class_name: str, **config: Any) -> dict[str, Any]:
    return {"class_name": class_name, "config": config}


KERNELS: dict[str, tuple[Any, Expected]] = {
    "random_normal": (_obj("RandomNormal", mean=0.5, stddev=0.2), Expected("normal", mean=0.5, std=0.2)),
    "random_normal_default": ("random_normal", Expected("normal", std=0.05)),
    "random_uniform": (_obj("RandomUniform", minval=-0.3, maxval=0.1), Expected("uniform", low=-0.3, high=0.1)),
    "random_uniform_default": ("random_uniform", Expected("uniform", low=-0.05, high=0.05)),
    "truncated_normal": (_obj("TruncatedNormal", mean=0.1, stddev=0.3), Expected("truncated", mean=0.1, std=0.3)),
    "truncated_normal_default": ("truncated_normal", Expected("truncated", std=0.05)),
    "zeros": ("zeros", Expected("constant", value=0.0)),
    "ones": ("ones", Expected("constant", value=1.0)),
    "constant": (_obj("Constant", value=0.7), Expected("constant", value=0.7)),
    "glorot_normal": ("glorot_normal", _scaled(1.0, "fan_avg", "truncated_normal", FAN_IN, UNITS)),
    "glorot_uniform": ("glorot_uniform", _scaled(1.0, "fan_avg", "uniform", FAN_IN, UNITS)),
    "he_normal": ("he_normal", _scaled(2.0, "fan_in", "truncated_normal", FAN_IN, UNITS)),
    "he_uniform": (_obj("HeUniform"), _scaled(2.0, "fan_in", "uniform", FAN_IN, UNITS)),
    "lecun_normal": (_obj("LecunNormal"), _scaled(1.0, "fan_in", "truncated_normal", FAN_IN, UNITS)),
    "lecun_uniform": ("lecun_uniform", _scaled(1.0, "fan_in", "uniform", FAN_IN, UNITS)),
    **{
        f"variance_scaling_{mode}_{distribution}": (
            _obj("VarianceScaling", scale=2.5, mode=mode, distribution=distribution),
            _scaled(2.5, mode, distribution, FAN_IN, UNITS),
        )
        for mode in ("fan_in", "fan_out", "fan_avg")
        for distribution in ("truncated_normal", "untruncated_normal", "uniform")
    },
    "variance_scaling_default": ("variance_scaling", _scaled(1.0, "fan_in", "truncated_normal", FAN_IN, UNITS)),
}

# 1-D (and one 2-D) weights of other kinds: (layer kind, config, weight name, expected)
WIDE_WEIGHTS: dict[str, tuple[str, dict[str, Any], str, Expected]] = {
    "bn_gamma_random_normal": (
        "BatchNormalization",
        {"gamma_initializer": _obj("RandomNormal", mean=1.0, stddev=0.02)},
        "gamma",
        Expected("normal", mean=1.0, std=0.02),
    ),
    "bn_beta_random_uniform": (
        "BatchNormalization",
        {"beta_initializer": _obj("RandomUniform", minval=-0.1, maxval=0.2)},
        "beta",
        Expected("uniform", low=-0.1, high=0.2),
    ),
    "bn_moving_mean_truncated": (
        "BatchNormalization",
        {"moving_mean_initializer": _obj("TruncatedNormal", stddev=0.5)},
        "moving_mean",
        Expected("truncated", std=0.5),
    ),
    "bn_moving_variance_constant": (
        "BatchNormalization",
        {"moving_variance_initializer": _obj("Constant", value=2.0)},
        "moving_variance",
        Expected("constant", value=2.0),
    ),
    "bn_gamma_default_ones": ("BatchNormalization", {}, "gamma", Expected("constant", value=1.0)),
    "bn_gamma_he_normal": (  # a 1-D weight's fans are its size
        "BatchNormalization",
        {"gamma_initializer": "he_normal"},
        "gamma",
        _scaled(2.0, "fan_in", "truncated_normal", WIDE, WIDE),
    ),
    "prelu_alpha_default_zeros": ("PReLU", {}, "alpha", Expected("constant", value=0.0)),
    "prelu_alpha_he_uniform": (
        "PReLU",
        {"alpha_initializer": "he_uniform"},
        "alpha",
        _scaled(2.0, "fan_in", "uniform", WIDE, WIDE),
    ),
    "prelu_alpha_glorot_normal": (
        "PReLU",
        {"alpha_initializer": "glorot_normal"},
        "alpha",
        _scaled(1.0, "fan_avg", "truncated_normal", WIDE, WIDE),
    ),
    "prelu_alpha_random_uniform": (
        "PReLU",
        {"alpha_initializer": _obj("RandomUniform", minval=0.1, maxval=0.4)},
        "alpha",
        Expected("uniform", low=0.1, high=0.4),
    ),
    "layer_norm_gamma_random_normal": (
        "LayerNormalization",
        {"gamma_initializer": _obj("RandomNormal", mean=1.0, stddev=0.1)},
        "gamma",
        Expected("normal", mean=1.0, std=0.1),
    ),
    "layer_norm_beta_lecun_uniform": (
        "LayerNormalization",
        {"beta_initializer": "lecun_uniform"},
        "beta",
        _scaled(1.0, "fan_in", "uniform", WIDE, WIDE),
    ),
}

# a PReLU on (None, 64, 128) has a (64, 128) alpha: Keras's fans are 64 and 128
PRELU_2D = {
    "prelu_2d_alpha_glorot_uniform": ("glorot_uniform", _scaled(1.0, "fan_avg", "uniform", 64, 128)),
    "prelu_2d_alpha_he_normal": ("he_normal", _scaled(2.0, "fan_in", "truncated_normal", 64, 128)),
}


def _input(name: str, *shape: int) -> dict[str, Any]:
    return {"class_name": "InputLayer", "config": {"name": name, "batch_shape": [None, *shape]}}


def _call(kind: str, name: str, source: str, **config: Any) -> dict[str, Any]:
    return {"class_name": kind, "config": {"name": name, **config}, "inbound_nodes": [{"inputs": [source, 0, 0]}]}


def _model(name: str, inputs: list[dict[str, Any]], layers: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "class_name": "Functional",
        "config": {
            "name": name,
            "layers": [*inputs, *layers],
            "input_layers": [[i["config"]["name"], 0, 0] for i in inputs],
            "output_layers": [[layer["config"]["name"], 0, 0] for layer in layers],
        },
    }


def kernels_spec() -> dict[str, Any]:
    layers = [
        _call("Dense", name, "x", units=UNITS, kernel_initializer=init, bias_initializer=init)
        for name, (init, _) in KERNELS.items()
    ]
    layers += [
        _call("Dense", "orthogonal_tall", "x", units=UNITS, kernel_initializer=_obj("Orthogonal", gain=1.5)),
        _call("Dense", "orthogonal_wide", "narrow", units=FAN_IN, kernel_initializer="orthogonal"),
        _call("Dense", "identity", "x", units=UNITS, kernel_initializer=_obj("Identity", gain=0.5)),
        _call("Dense", "identity_wide", "narrow", units=FAN_IN, kernel_initializer="identity"),
    ]
    return _model("kernels", [_input("x", FAN_IN), _input("narrow", UNITS)], layers)


def wide_spec() -> dict[str, Any]:
    layers = [_call(kind, name, "wide", **config) for name, (kind, config, _, _) in WIDE_WEIGHTS.items()]
    layers += [_call("PReLU", name, "grid", alpha_initializer=init) for name, (init, _) in PRELU_2D.items()]
    return _model("wide", [_input("wide", WIDE), _input("grid", 64, 128)], layers)


def _weights(spec: dict[str, Any]) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """(Keras arrays, torch arrays in Keras's layout), keyed by 'layer/weight'."""
    import keras
    import torch

    from nnspec.compiler.compiled import Compiled
    from nnspec.compiler.weights.links import keras_arrays

    compiled = Compiled.of(spec)
    keras.utils.set_random_seed(1234)
    model = compiled.keras_model()
    torch.manual_seed(1234)
    module = compiled.torch_module()
    state = module.state_dict()
    torch_arrays = {link.keras_path: link.to_keras(state[link.torch_key].numpy()) for link in compiled.links}
    return keras_arrays(model, compiled.declared), torch_arrays


@pytest.fixture(scope="module")
def kernels() -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    return _weights(kernels_spec())


@pytest.fixture(scope="module")
def wide() -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    return _weights(wide_spec())


def _ks_pvalue(sample: np.ndarray, expected: Expected) -> float | None:
    try:
        from scipy import stats
    except ImportError:  # moments and bounds still decide
        return None
    if expected.kind == "normal":
        dist = stats.norm(expected.mean, expected.std)
    elif expected.kind == "truncated":
        dist = stats.truncnorm(-2, 2, loc=expected.mean, scale=expected.std)
    else:
        dist = stats.uniform(expected.low, expected.high - expected.low)
    return float(stats.kstest(sample.ravel().astype("float64"), dist.cdf).pvalue)


def check_distribution(sample: np.ndarray, expected: Expected, who: str) -> None:
    values = sample.ravel().astype("float64")
    n = values.size
    if expected.kind == "constant":
        np.testing.assert_array_equal(values, np.full(n, expected.value, dtype="float32"), err_msg=who)
        return
    std = expected.actual_std
    mean_error = abs(values.mean() - expected.actual_mean)
    assert mean_error < 5 * std / math.sqrt(n), f"{who}: mean {values.mean():.5f}, expected {expected.actual_mean}"
    assert abs(values.std() / std - 1) < 5 / math.sqrt(2 * n), f"{who}: std {values.std():.5f}, expected {std:.5f}"
    if expected.kind == "truncated":
        low, high = expected.mean - 2 * expected.std, expected.mean + 2 * expected.std
        slack = 1e-6 * max(1.0, abs(high))
        assert low - slack <= values.min() and values.max() <= high + slack, f"{who}: outside [{low}, {high}]"
        # the truncation is at 2 sigma, not further: the sample reaches close to it
        assert values.max() > high - 0.1 * expected.std and values.min() < low + 0.1 * expected.std, who
    if expected.kind == "uniform":
        slack = 1e-6 * max(1.0, abs(expected.high), abs(expected.low))
        width = expected.high - expected.low
        assert expected.low - slack <= values.min() < expected.low + 0.01 * width, f"{who}: min {values.min()}"
        assert expected.high - 0.01 * width < values.max() <= expected.high + slack, f"{who}: max {values.max()}"
    if expected.kind == "normal":  # no truncation: the tails reach past 3 sigma in 8,192 draws
        assert np.abs(values - expected.mean).max() > 3 * expected.std, f"{who}: looks truncated"
    p = _ks_pvalue(values, expected)
    assert p is None or p > 1e-4, f"{who}: Kolmogorov-Smirnov p = {p:.2g}"


@pytest.mark.parametrize("name", sorted(KERNELS))
def test_dense_kernel_distribution(kernels, name: str) -> None:
    keras_arrays, torch_arrays = kernels
    expected = KERNELS[name][1]
    for who, arrays in (("keras", keras_arrays), ("torch", torch_arrays)):
        kernel = arrays[f"{name}/kernel"]
        assert kernel.shape == (FAN_IN, UNITS)
        check_distribution(kernel, expected, f"{who} {name}")


# a bias is 1-D: its fans are its size (64, 64), not the kernel's
BIAS_UNIFORM = {
    "random_uniform": Expected("uniform", low=-0.3, high=0.1),
    "random_uniform_default": Expected("uniform", low=-0.05, high=0.05),
    "glorot_uniform": _scaled(1.0, "fan_avg", "uniform", UNITS, UNITS),
    "he_uniform": _scaled(2.0, "fan_in", "uniform", UNITS, UNITS),
    "lecun_uniform": _scaled(1.0, "fan_in", "uniform", UNITS, UNITS),
    **{
        f"variance_scaling_{m}_uniform": _scaled(2.5, m, "uniform", UNITS, UNITS)
        for m in ("fan_in", "fan_out", "fan_avg")
    },
}


@pytest.mark.parametrize("name", sorted(k for k, (_, e) in KERNELS.items() if e.kind == "constant"))
def test_dense_constant_bias(kernels, name: str) -> None:
    for who, arrays in (("keras", kernels[0]), ("torch", kernels[1])):
        check_distribution(arrays[f"{name}/bias"], KERNELS[name][1], f"{who} {name}")


@pytest.mark.parametrize("name", sorted(BIAS_UNIFORM))
def test_dense_uniform_bias_bounds(kernels, name: str) -> None:
    """64 draws: the bounds, and that the sample spreads towards them."""
    expected = BIAS_UNIFORM[name]
    for who, arrays in (("keras", kernels[0]), ("torch", kernels[1])):
        bias = arrays[f"{name}/bias"]
        assert bias.shape == (UNITS,)
        slack = 1e-6
        assert expected.low - slack <= bias.min() and bias.max() <= expected.high + slack, f"{who} {name}"
        middle, half = (expected.low + expected.high) / 2, (expected.high - expected.low) / 2
        assert np.abs(bias - middle).max() > 0.5 * half, f"{who} {name}: bias bounds too narrow"


@pytest.mark.parametrize("name", ["orthogonal_tall", "orthogonal_wide"])
def test_orthogonal(kernels, name: str) -> None:
    gain = 1.5 if name == "orthogonal_tall" else 1.0
    for who, arrays in (("keras", kernels[0]), ("torch", kernels[1])):
        kernel = arrays[f"{name}/kernel"].astype("float64")
        rows, cols = kernel.shape
        # the short side's vectors are orthonormal (times the gain)
        gram = kernel.T @ kernel if rows >= cols else kernel @ kernel.T
        np.testing.assert_allclose(gram, gain**2 * np.eye(min(rows, cols)), atol=1e-4, err_msg=who)


@pytest.mark.parametrize("name", ["identity", "identity_wide"])
def test_identity(kernels, name: str) -> None:
    gain = 0.5 if name == "identity" else 1.0
    keras_kernel, torch_kernel = kernels[0][f"{name}/kernel"], kernels[1][f"{name}/kernel"]
    np.testing.assert_array_equal(keras_kernel, gain * np.eye(*keras_kernel.shape, dtype="float32"))
    np.testing.assert_array_equal(torch_kernel, keras_kernel)


@pytest.mark.parametrize("name", sorted(WIDE_WEIGHTS))
def test_one_dimensional_weight_distribution(wide, name: str) -> None:
    _, _, weight, expected = WIDE_WEIGHTS[name]
    for who, arrays in (("keras", wide[0]), ("torch", wide[1])):
        sample = arrays[f"{name}/{weight}"]
        assert sample.shape == (WIDE,)
        check_distribution(sample, expected, f"{who} {name}")


@pytest.mark.parametrize("name", sorted(PRELU_2D))
def test_two_dimensional_alpha_distribution(wide, name: str) -> None:
    expected = PRELU_2D[name][1]
    for who, arrays in (("keras", wide[0]), ("torch", wide[1])):
        sample = arrays[f"{name}/alpha"]
        assert sample.shape == (64, 128)
        check_distribution(sample, expected, f"{who} {name}")


def test_seeded_initializer_is_repeatable_in_torch() -> None:
    import torch

    import nnspec

    spec = _model(
        "seeded",
        [_input("x", 16)],
        [_call("Dense", "dense", "x", units=8, kernel_initializer=_obj("RandomNormal", seed=3))],
    )
    first = nnspec.compile_torch(spec).state_dict()
    second = nnspec.compile_torch(spec).state_dict()
    torch.testing.assert_close(first["dense.weight"], second["dense.weight"], rtol=0, atol=0)


@pytest.mark.parametrize("seed", [-(2**63), 2**63 - 1])
def test_every_seed_nnspec_accepts_both_frameworks_take(seed: int) -> None:
    """The int64 range nnspec accepts for a seed: Keras and torch both build with its ends."""
    import nnspec

    spec = _model(
        "seeded",
        [_input("x", 4)],
        [_call("Dense", "dense", "x", units=2, kernel_initializer=_obj("GlorotUniform", seed=seed))],
    )
    assert nnspec.compile_torch(spec).dense.weight.shape == (2, 4)
    assert nnspec.compile_keras(spec).get_layer("dense").kernel.shape == (4, 2)
