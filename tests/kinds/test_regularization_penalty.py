"""ActivityRegularization's penalty, and activity regularizers on the preprocessing and
regularisation kinds: after one call on the same weights and input, the torch module's
`regularization_loss()` equals the sum of Keras's `model.losses`."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

pytestmark = [pytest.mark.keras, pytest.mark.torch]


def _input(name: str, *shape: int) -> dict[str, Any]:
    return {"class_name": "InputLayer", "config": {"name": name, "batch_shape": [None, *shape]}}


def _layer(kind: str, name: str, **config: Any) -> dict[str, Any]:
    return {"class_name": kind, "config": {"name": name, **config}}


def _sequential(name: str, *layers: dict[str, Any], shape: tuple[int, ...] = (4,), **config: Any) -> dict[str, Any]:
    return {"class_name": "Sequential", "config": {"name": name, "layers": [_input("x", *shape), *layers], **config}}


def _regularized(l1: float = 0.0, l2: float = 0.0, name: str = "reg") -> dict[str, Any]:
    config = {key: value for key, value in (("l1", l1), ("l2", l2)) if value}
    return _layer("ActivityRegularization", name, **config)


DENSE = _layer("Dense", "dense", units=3, activation="tanh")
CONV = _layer("Conv2D", "conv", filters=2, kernel_size=1)

PENALISED: dict[str, dict[str, Any]] = {
    "l1": _sequential("l1", _regularized(l1=0.01)),
    "l2": _sequential("l2", _regularized(l2=0.02)),
    "l1_l2": _sequential("l1_l2", _regularized(l1=0.01, l2=0.03)),
    "after_dense": _sequential("after_dense", DENSE, _regularized(l1=0.1, l2=0.2)),
    "after_conv_channels_first": _sequential("after_conv", CONV, _regularized(l2=0.05), shape=(3, 3, 2)),
    "two_layers": _sequential("two", _regularized(l1=0.01, name="first"), DENSE, _regularized(l2=0.1, name="second")),
    "frozen_layer": _sequential("frozen_layer", _layer("ActivityRegularization", "reg", l1=0.2, trainable=False)),
    "frozen_model": _sequential("frozen_model", DENSE, _regularized(l1=0.2), trainable=False),
    "nested": _sequential("outer", _sequential("inner", DENSE, _regularized(l2=0.3)), _layer("Dense", "top", units=2)),
    "with_dense_penalties": _sequential(
        "mixed", _layer("Dense", "dense", units=3, kernel_regularizer="l2"), _regularized(l1=0.05)
    ),
    "rescaling_activity": _sequential(
        "rescaling", _layer("Rescaling", "r", scale=[0.5, 2.0, 1.0, -1.0], activity_regularizer="l1")
    ),
    "normalization_activity": _sequential(
        "normalization", _layer("Normalization", "n", mean=1.0, variance=4.0, activity_regularizer="l2")
    ),
    "identity_activity": _sequential("identity", _layer("Identity", "i", activity_regularizer="l1")),
    "gaussian_noise_activity": _sequential(
        "noise",
        _layer("GaussianNoise", "g", stddev=0.1, activity_regularizer={"class_name": "L2", "config": {"l2": 0.5}}),
    ),
}


def _built(spec: dict[str, Any], seed: int = 0) -> tuple[Any, Any, Any]:
    """(compiled, Keras model, torch module) with the same random weights."""
    from nnspec.compiler.compiled import Compiled
    from nnspec.compiler.weights.links import keras_to_torch, random_keras_arrays, set_keras_arrays

    compiled = Compiled.of(spec)
    model = compiled.keras_model()
    module = compiled.torch_module()
    set_keras_arrays(model, compiled.declared, random_keras_arrays(compiled.declared, seed))
    keras_to_torch(model, module, compiled)
    return compiled, model, module


def _totals(spec: dict[str, Any], training: bool) -> tuple[float, float]:
    """(Keras's losses, torch's regularization_loss()) after one call on the same input."""
    import torch

    from nnspec.compiler.parity.check import sample_inputs, torch_inputs

    compiled, model, module = _built(spec)
    (x,) = sample_inputs(compiled.loaded.graph, 1, batch=5)
    model(x, training=training)
    keras_total = float(sum(float(np.asarray(loss)) for loss in model.losses))
    module.train(training)
    with torch.no_grad():
        module(*torch_inputs(compiled.program.top, [x]))
        torch_total = float(module.regularization_loss()) if hasattr(module, "regularization_loss") else 0.0
    return keras_total, torch_total


@pytest.mark.parametrize("training", [False, True], ids=["inference", "training"])
@pytest.mark.parametrize("name", sorted(set(PENALISED) - {"gaussian_noise_activity"}))
def test_regularization_loss_equals_keras_losses(name: str, training: bool) -> None:
    keras_total, torch_total = _totals(PENALISED[name], training)
    assert keras_total != 0.0, "the case should exercise a penalty"
    assert torch_total == pytest.approx(keras_total, rel=1e-5, abs=1e-7)


def test_noise_layer_activity_penalty_in_inference() -> None:
    """In training the noise differs between the frameworks, and so does the penalty."""
    keras_total, torch_total = _totals(PENALISED["gaussian_noise_activity"], training=False)
    assert torch_total == pytest.approx(keras_total, rel=1e-5, abs=1e-7)


def test_zero_factors_add_nothing() -> None:
    keras_total, torch_total = _totals(_sequential("zero", _regularized()), training=False)
    assert keras_total == torch_total == 0.0


def test_penalty_is_differentiable() -> None:
    import torch

    from nnspec.compiler.compiled import Compiled

    module = Compiled.of(PENALISED["after_dense"]).torch_module()
    out = module(torch.randn(5, 4))
    (out.sum() + module.regularization_loss()).backward()
    assert module.dense.weight.grad is not None


def test_penalty_follows_the_latest_call() -> None:
    import torch

    from nnspec.compiler.compiled import Compiled

    module = Compiled.of(PENALISED["l1"]).torch_module()
    with torch.no_grad():
        module(torch.ones(2, 4))
        assert float(module.regularization_loss()) == pytest.approx(0.01 * 8 / 2)
        module(torch.ones(4, 4) * 3)
        assert float(module.regularization_loss()) == pytest.approx(0.01 * 48 / 4)


SHARED = {
    "class_name": "Functional",
    "config": {
        "name": "shared",
        "layers": [
            _input("a", 3),
            _input("b", 3),
            {**_regularized(l1=0.1), "inbound_nodes": [{"inputs": ["a", 0, 0]}, {"inputs": ["b", 0, 0]}]},
            {**_layer("Add", "sum"), "inbound_nodes": [{"inputs": [["reg", 0, 0], ["reg", 1, 0]]}]},
        ],
        "input_layers": [["a", 0, 0], ["b", 0, 0]],
        "output_layers": ["sum", 0, 0],
    },
}


def test_shared_layer_counts_every_call() -> None:
    import torch

    from nnspec.compiler.parity.check import sample_inputs, torch_inputs

    compiled, model, module = _built(SHARED)
    inputs = sample_inputs(compiled.loaded.graph, 1, batch=5)
    model(inputs, training=False)
    keras_total = float(sum(float(np.asarray(loss)) for loss in model.losses))
    with torch.no_grad():
        module.eval()(*torch_inputs(compiled.program.top, inputs))
        assert float(module.regularization_loss()) == pytest.approx(keras_total, rel=1e-5)


@pytest.mark.parametrize(
    ("kind", "config", "message"),
    [
        ("ActivityRegularization", {"l1": 0.1, "activity_regularizer": "l2"}, "its own activity regularizer"),
        ("SpatialDropout1D", {"rate": 0.1, "activity_regularizer": "l2"}, "take no activity_regularizer"),
    ],
)
def test_refused_activity_regularizer(kind: str, config: dict[str, Any], message: str) -> None:
    import nnspec
    from nnspec.spec.errors import SpecError

    with pytest.raises(SpecError, match=message):
        nnspec.load(_sequential("refused", _layer(kind, "layer", **config), shape=(3, 4)))
