"""Limits that keep a spec that validates buildable: the largest tensor one sample makes
(--max-activations) and how deep models nest. Both refused at validation, with the path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import nnspec
from nnspec.compiler.cli import app
from nnspec.compiler.targets.keras_model import keras_source
from nnspec.compiler.targets.torch_module import torch_source
from nnspec.spec.errors import SpecError
from nnspec.spec.limits import DEFAULT_MAX_ACTIVATIONS, MAX_NESTING


def _sequential(*layers: dict[str, Any], shape: tuple[int, ...] = (4,)) -> dict[str, Any]:
    entry = {"class_name": "InputLayer", "config": {"batch_shape": [None, *shape]}}
    return {"class_name": "Sequential", "config": {"name": "m", "layers": [entry, *layers]}}


HUGE = {
    # no parameters at all, so --max-params never saw it: check tried to allocate 37 GiB
    "input": (_sequential({"class_name": "Activation", "config": {"activation": "relu"}}, shape=(10**10,)), 1),
    "grown-inside": (
        _sequential(
            {"class_name": "Dense", "config": {"units": 4}}, {"class_name": "RepeatVector", "config": {"n": 10**9}}
        ),
        2,
    ),
}


@pytest.mark.parametrize("case", sorted(HUGE))
def test_a_tensor_too_large_to_run_is_refused_at_validation(case: str) -> None:
    doc, index = HUGE[case]
    with pytest.raises(SpecError) as caught:
        nnspec.load(doc)
    (problem,) = caught.value.problems
    assert problem.path == f"config.layers[{index}]" and "too large a tensor to run" in problem.message
    assert problem.expected == f"at most {DEFAULT_MAX_ACTIVATIONS:,}" and "--max-activations" in (problem.hint or "")
    assert nnspec.load(doc, max_activations=10**10).graph is not None


def test_the_activation_limit_is_a_flag(tmp_path: Path) -> None:
    path = tmp_path / "wide.json"
    path.write_text(json.dumps(_sequential({"class_name": "Dense", "config": {"units": 4}}, shape=(1000,))))
    runner = CliRunner()
    refused = runner.invoke(app, ["validate", str(path), "--max-activations", "999"])
    assert refused.exit_code == 1 and "received 1,000 values per sample" in refused.output
    assert runner.invoke(app, ["validate", str(path), "--max-activations", "1000"]).exit_code == 0


def _nested(depth: int) -> dict[str, Any]:
    """`depth` functional models, each holding the next: the innermost holds one Dense."""
    model: dict[str, Any] = {"class_name": "Dense", "name": "d", "config": {"name": "d", "units": 2}}
    inner = "d"
    for level in range(depth):
        model["inbound_nodes"] = [{"inputs": [f"i{level}", 0, 0]}]
        entry = {
            "class_name": "InputLayer",
            "name": f"i{level}",
            "config": {"name": f"i{level}", "batch_shape": [None, 2]},
        }
        config = {"name": f"m{level}", "layers": [entry, model], "input_layers": [f"i{level}", 0, 0]}
        model = {"class_name": "Functional", "config": {**config, "output_layers": [inner, 0, 0]}}
        inner = f"m{level}"
    return model


def test_models_nested_deeper_than_both_frameworks_build_are_refused_with_the_path() -> None:
    with pytest.raises(SpecError) as caught:
        nnspec.load(_nested(MAX_NESTING + 1))
    (problem,) = caught.value.problems
    assert problem.path.endswith("config.layers[1]") and f"nest {MAX_NESTING + 1} deep" in problem.message


def test_models_nested_as_deep_as_allowed_generate_for_both_targets() -> None:
    loaded = nnspec.load(_nested(MAX_NESTING))
    compile(torch_source(loaded).text, "torch.py", "exec")
    compile(keras_source(loaded).text, "keras.py", "exec")


@pytest.mark.keras
@pytest.mark.torch
def test_models_nested_as_deep_as_allowed_build_in_both_frameworks() -> None:
    import numpy as np
    import torch

    loaded = nnspec.load(_nested(MAX_NESTING))
    assert nnspec.compile_keras(loaded)(np.ones((1, 2), "float32")).shape == (1, 2)
    assert nnspec.compile_torch(loaded)(torch.ones(1, 2)).shape == (1, 2)
