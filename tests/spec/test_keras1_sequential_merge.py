"""Keras 1's Sequential([Merge([left, right], mode=...), Dense]), written with the branch
models inside the Merge's config (tests/fixtures/keras1/k1_sequential_merge.json), read as
the functional model it computes: one input per branch (issue 11). tf-keras 2.21 gives the
equivalent Keras 2 model (tests/fixtures/keras1/tf_keras_equivalents.py) 121 parameters."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from conftest import FIXTURES
from nnspec.compiler.cli import app
from nnspec.spec import SpecError, load_data

FILE = FIXTURES / "keras1" / "k1_sequential_merge.json"


def merged(**merge: Any) -> dict[str, Any]:
    doc = json.loads(FILE.read_text())
    doc["config"][0]["config"].update(merge)
    return doc


def test_a_sequential_merge_is_a_functional_model_with_an_input_per_branch() -> None:
    loaded = load_data(merged(), "k1.json")
    assert loaded.dialect == "keras1" and loaded.spec.class_name == "Functional"
    assert [(info.kind, info.output_shapes[0]) for info in loaded.graph.layers] == [
        ("InputLayer", (None, 4)),
        ("Sequential", (None, 8)),
        ("InputLayer", (None, 5)),
        ("Sequential", (None, 6)),
        ("Concatenate", (None, 14)),
        ("Dense", (None, 3)),
    ]
    assert loaded.graph.params.total == 121


def test_a_dot_merge_of_branches_reads_too() -> None:
    doc = merged(mode="dot", dot_axes=[1, 1])
    doc["config"][0]["config"]["layers"][1]["config"][0]["config"]["output_dim"] = 8
    loaded = load_data(doc, "k1.json")
    assert loaded.graph.layer("merge_1").kind == "Dot"
    assert loaded.graph.params.total == 40 + 48 + 1 * 3 + 3


def test_a_branch_that_is_no_model_is_refused_naming_it() -> None:
    doc = merged()
    doc["config"][0]["config"]["layers"][1] = {"class_name": "Dense", "config": {"name": "d", "output_dim": 2}}
    with pytest.raises(SpecError) as caught:
        load_data(doc, "k1.json")
    (problem,) = caught.value.problems
    assert problem.path == "config[0]" and "branch 1 of the Merge is not a model" in problem.message


def test_a_bad_field_in_a_branch_is_reported_where_the_file_has_it() -> None:
    doc = merged()
    doc["config"][0]["config"]["layers"][0]["config"][0]["config"]["output_dim"] = 0
    with pytest.raises(SpecError) as caught:
        load_data(doc, "k1.json")
    (problem,) = caught.value.problems
    assert problem.path == "config[0].config.layers[0].config[0].config.output_dim"


@pytest.mark.keras
@pytest.mark.torch
def test_the_sequential_merge_passes_the_parity_check() -> None:
    result = CliRunner().invoke(app, ["check", str(FILE)])
    assert result.exit_code == 0, result.output
    assert "PASS" in result.output
