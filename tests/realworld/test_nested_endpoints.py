"""A functional model whose outputs come from a nested functional model: Keras 3 numbers a
model's endpoints into a nested Functional from 1 (its built-in node is node 0; tf.keras 2
numbered every call of it so, which `tests/fixtures/keras2/nested.json` covers)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from written_module import written_module

import nnspec


def _nested_model(keras: Any) -> Any:
    def inner() -> Any:
        x = keras.Input((4,), name="ix")
        return keras.Model(x, [keras.layers.Dense(3, name="a")(x), keras.layers.Dense(2, name="b")(x)], name="inner")

    def middle() -> Any:
        x = keras.Input((4,), name="mx")
        a, b = inner()(x)
        return keras.Model(x, {"a": a, "b": b, "c": keras.layers.Dense(5, name="c")(x)}, name="middle")

    x = keras.Input((4,), name="x")
    out = middle()(x)
    merged = keras.layers.Concatenate(name="cat")([out["a"], out["b"], out["c"]])
    return keras.Model(x, merged, name="outer")


@pytest.mark.keras
@pytest.mark.torch
def test_outputs_of_a_nested_functional_model_convert_from_keras_3(keras: Any, tmp_path: Path) -> None:
    import torch

    from nnspec.compiler.convert import convert_to_torch

    model = _nested_model(keras)
    config = json.loads(model.to_json())["config"]["layers"][1]["config"]
    assert config["output_layers"]["b"] == ["inner", 1, 1]  # what this test is about
    model.save(tmp_path / "outer.keras")
    x = np.random.default_rng(0).normal(size=(3, 4)).astype("float32")
    expected = model.predict(x, verbose=0)

    result = convert_to_torch(tmp_path / "outer.keras", tmp_path / "out", layout="keras")
    assert result.report is not None and result.report.passed
    loaded = nnspec.loads(model.to_json())
    assert loaded.graph.params.total == model.count_params()
    with torch.no_grad():
        out = written_module(tmp_path / "out", loaded)(torch.from_numpy(x)).numpy()
    assert np.abs(out - expected).max() < 1e-5
