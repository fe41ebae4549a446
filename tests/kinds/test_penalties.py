"""Regularizers and constraints: the torch module's `regularization_loss()` equals the
sum of Keras's `model.losses`, and its `apply_constraints()` projects the weights as
Keras's constraint objects do, after the same weights are copied Keras -> torch."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

pytestmark = [pytest.mark.keras, pytest.mark.torch]


def _obj(class_name: str, **config: Any) -> dict[str, Any]:
    return {"class_name": class_name, "config": config}


def _input(name: str, *shape: int) -> dict[str, Any]:
    return {"class_name": "InputLayer", "config": {"name": name, "batch_shape": [None, *shape]}}


def _layer(kind: str, name: str, inputs: Any, **config: Any) -> dict[str, Any]:
    return {"class_name": kind, "config": {"name": name, **config}, "inbound_nodes": [{"inputs": inputs}]}


def one_layer(kind: str, config: dict[str, Any], shape: tuple[int, ...] = (6,)) -> dict[str, Any]:
    return {
        "class_name": "Functional",
        "config": {
            "name": "regularized",
            "layers": [_input("x", *shape), _layer(kind, "layer", ["x", 0, 0], **config)],
            "input_layers": ["x", 0, 0],
            "output_layers": ["layer", 0, 0],
        },
    }


def _dense(**config: Any) -> dict[str, Any]:
    return one_layer("Dense", {"units": 5, **config})


REGULARIZED: dict[str, dict[str, Any]] = {
    "kernel_l1": _dense(kernel_regularizer=_obj("L1", l1=0.01)),
    "kernel_l1_string": _dense(kernel_regularizer="l1"),
    "kernel_l2": _dense(kernel_regularizer=_obj("L2", l2=0.02)),
    "kernel_l1l2": _dense(kernel_regularizer=_obj("L1L2", l1=0.01, l2=0.03)),
    "kernel_l1l2_zero": _dense(kernel_regularizer=_obj("L1L2")),
    "kernel_orthogonal_rows": _dense(kernel_regularizer=_obj("OrthogonalRegularizer", factor=0.1)),
    "kernel_orthogonal_columns": _dense(kernel_regularizer=_obj("OrthogonalRegularizer", factor=0.2, mode="columns")),
    "bias_l2": _dense(bias_regularizer=_obj("L2", l2=0.5)),
    "bias_l1": _dense(bias_regularizer="l1"),
    "activity_l1": _dense(activity_regularizer=_obj("L1", l1=0.01)),
    "activity_l2": _dense(activity_regularizer=_obj("L2", l2=0.02), activation="tanh"),
    "activity_l1l2": _dense(activity_regularizer=_obj("L1L2", l1=0.01, l2=0.02)),
    "activity_orthogonal": _dense(activity_regularizer=_obj("OrthogonalRegularizer", factor=0.1)),
    "everything": _dense(
        kernel_regularizer=_obj("L1L2", l1=0.01, l2=0.01),
        bias_regularizer="l2",
        activity_regularizer=_obj("L2", l2=0.01),
        activation="relu",
    ),
    "dense_prelu_activation_alpha": _dense(
        activation={"class_name": "PReLU", "config": {"name": "p", "alpha_regularizer": "l2"}}
    ),
    "activation_layer_activity": one_layer("Activation", {"activation": "sigmoid", "activity_regularizer": "l2"}),
    "batch_norm": one_layer("BatchNormalization", {"gamma_regularizer": "l2", "beta_regularizer": _obj("L1", l1=0.3)}),
    "layer_norm": one_layer(
        "LayerNormalization", {"gamma_regularizer": _obj("L2", l2=0.1), "beta_regularizer": "l1"}, (3, 4)
    ),
    "prelu_rank3": one_layer("PReLU", {"alpha_regularizer": _obj("L1L2", l1=0.1, l2=0.2)}, (3, 4)),
    "prelu_rank2": one_layer("PReLU", {"alpha_regularizer": "l2"}),
    "relu_activity": one_layer("ReLU", {"activity_regularizer": "l1"}),
    "shared_layer_activity": {
        "class_name": "Functional",
        "config": {
            "name": "shared",
            "layers": [
                _input("a", 4),
                _input("b", 4),
                {
                    "class_name": "Dense",
                    "config": {
                        "name": "twin",
                        "units": 3,
                        "kernel_regularizer": "l2",
                        "activity_regularizer": _obj("L1", l1=0.05),
                    },
                    "inbound_nodes": [{"inputs": ["a", 0, 0]}, {"inputs": ["b", 0, 0]}],
                },
                _layer("Add", "sum", [["twin", 0, 0], ["twin", 1, 0]]),
            ],
            "input_layers": [["a", 0, 0], ["b", 0, 0]],
            "output_layers": ["sum", 0, 0],
        },
    },
    "nested_model": {
        "class_name": "Sequential",
        "config": {
            "name": "outer",
            "layers": [
                _input("x", 6),
                {
                    "class_name": "Sequential",
                    "config": {
                        "name": "inner",
                        "layers": [
                            _input("inner_x", 6),
                            {
                                "class_name": "Dense",
                                "config": {
                                    "name": "inner_dense",
                                    "units": 4,
                                    "kernel_regularizer": "l2",
                                    "activity_regularizer": "l1",
                                },
                            },
                        ],
                    },
                },
                {"class_name": "Dense", "config": {"name": "top", "units": 2, "bias_regularizer": "l1"}},
            ],
        },
    },
}


def _built(spec: dict[str, Any], seed: int = 0) -> tuple[Any, Any, Any, Any]:
    """(loaded, Keras model, torch module, links) with the same random weights."""
    from nnspec.compiler.compiled import Compiled
    from nnspec.compiler.weights.links import keras_to_torch, random_keras_arrays, set_keras_arrays

    compiled = Compiled.of(spec)
    model = compiled.keras_model()
    module = compiled.torch_module()
    set_keras_arrays(model, compiled.declared, random_keras_arrays(compiled.declared, seed))
    keras_to_torch(model, module, compiled)
    return compiled.loaded, model, module, compiled.links


def _inputs(loaded: Any, seed: int = 1) -> list[np.ndarray]:
    from nnspec.compiler.parity.check import sample_inputs

    return sample_inputs(loaded.graph, seed, batch=5)


@pytest.mark.parametrize("name", sorted(REGULARIZED))
def test_regularization_loss_equals_keras_losses(name: str) -> None:
    import torch

    loaded, model, module, _ = _built(REGULARIZED[name])
    inputs = _inputs(loaded)
    model(inputs[0] if len(inputs) == 1 else inputs, training=False)
    keras_total = float(sum(float(np.asarray(loss)) for loss in model.losses))
    module.eval()
    with torch.no_grad():
        module(*(torch.from_numpy(x) for x in inputs))
        # a regularizer that adds nothing (L1L2 with both factors 0) leaves no method
        has_method = hasattr(module, "regularization_loss")
        torch_total = float(module.regularization_loss()) if has_method else 0.0
    assert keras_total != 0.0 or name == "kernel_l1l2_zero", "the case should exercise a penalty"
    assert torch_total == pytest.approx(keras_total, rel=1e-5, abs=1e-7)


def test_regularization_loss_is_differentiable() -> None:
    import torch

    _, _, module, _ = _built(REGULARIZED["everything"])
    out = module(torch.randn(5, 6))
    loss = out.sum() + module.regularization_loss()
    loss.backward()
    assert module.layer.weight.grad is not None


def test_no_regularizers_no_method() -> None:
    import nnspec

    module = nnspec.compile_torch(_dense())
    assert not hasattr(type(module), "regularization_loss")
    assert not hasattr(type(module), "apply_constraints")


CONSTRAINED: dict[str, dict[str, Any]] = {
    "max_norm": _dense(
        kernel_constraint=_obj("MaxNorm", max_value=1.0), bias_constraint=_obj("MaxNorm", max_value=0.1)
    ),
    "max_norm_axis_1": _dense(kernel_constraint=_obj("MaxNorm", max_value=0.8, axis=1)),
    "max_norm_axis_minus_1": _dense(kernel_constraint=_obj("MaxNorm", max_value=0.8, axis=-1)),
    "max_norm_both_axes": _dense(kernel_constraint=_obj("MaxNorm", max_value=1.5, axis=[0, 1])),
    "max_norm_string": _dense(kernel_constraint="max_norm"),
    "min_max_norm": _dense(
        kernel_constraint=_obj("MinMaxNorm", min_value=0.9, max_value=1.1),
        bias_constraint=_obj("MinMaxNorm", min_value=0.5, max_value=0.6, rate=0.5),
    ),
    "min_max_norm_rate": _dense(kernel_constraint=_obj("MinMaxNorm", min_value=0.95, max_value=1.0, rate=0.3, axis=1)),
    "non_neg": _dense(kernel_constraint="non_neg", bias_constraint=_obj("NonNeg")),
    "unit_norm": _dense(kernel_constraint=_obj("UnitNorm"), bias_constraint="unit_norm"),
    "unit_norm_axis_1": _dense(kernel_constraint=_obj("UnitNorm", axis=1)),
    "batch_norm": one_layer(
        "BatchNormalization",
        {"gamma_constraint": _obj("MaxNorm", max_value=1.0), "beta_constraint": "non_neg"},
    ),
    "layer_norm": one_layer(
        "LayerNormalization", {"gamma_constraint": "unit_norm", "beta_constraint": "non_neg"}, (3, 4)
    ),
    "prelu_rank3": one_layer("PReLU", {"alpha_constraint": _obj("MaxNorm", max_value=0.3, axis=1)}, (3, 4)),
    "prelu_rank2": one_layer("PReLU", {"alpha_constraint": "non_neg"}),
    "dense_prelu_activation": _dense(
        activation={"class_name": "PReLU", "config": {"name": "p", "alpha_constraint": "non_neg"}}
    ),
}


def _constrained_keras_arrays(model: Any, links: list[Any]) -> dict[str, np.ndarray]:
    """Each weight after its Keras constraint object (unchanged where it has none)."""
    from nnspec.compiler.weights.links import _keras_variable

    out = {}
    for link in links:
        variable = _keras_variable(model, link.keras_layers, link.keras_name)
        value = variable.constraint(variable) if variable.constraint is not None else variable
        out[link.keras_path] = np.asarray(value)
    return out


@pytest.mark.parametrize("name", sorted(CONSTRAINED))
def test_apply_constraints_equals_keras_constraints(name: str) -> None:
    _, model, module, links = _built(CONSTRAINED[name])
    assert any(_has_constraint(model, link) for link in links), "the case should exercise a constraint"
    expected = _constrained_keras_arrays(model, links)
    module.apply_constraints()
    state = module.state_dict()
    for link in links:
        got = link.to_keras(state[link.torch_key].numpy())
        np.testing.assert_allclose(got, expected[link.keras_path], rtol=1e-5, atol=1e-6, err_msg=link.keras_path)


def _has_constraint(model: Any, link: Any) -> bool:
    from nnspec.compiler.weights.links import _keras_variable

    return _keras_variable(model, link.keras_layers, link.keras_name).constraint is not None
