"""Keras 1 functional files (3-item tensor references, `input_dtype`, Keras 1 field names)
and the legacy Merge layer (Keras 1 and Keras <= 2.1), read as the merge layer its mode
names (dot and cos: Dot); a mode with no such layer, or given as code, refused at its path (issue 11)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from typer.testing import CliRunner

from conftest import FIXTURES
from nnspec.compiler.cli import app
from nnspec.spec import SpecError, load_data

MERGE_FILE = FIXTURES / "keras1" / "k1_functional_merge.json"


def merge_model(**merge: Any) -> dict[str, Any]:
    doc = json.loads(MERGE_FILE.read_text())
    doc["config"]["layers"][3]["config"].update(merge)
    return doc


def test_a_keras1_functional_model_with_a_merge_reads_as_keras_3() -> None:
    loaded = load_data(merge_model(), "k1.json")
    assert loaded.dialect == "keras1"
    assert [(info.name, info.kind) for info in loaded.graph.layers] == [
        ("input_1", "InputLayer"),
        ("dense_1", "Dense"),
        ("dense_2", "Dense"),
        ("merge_1", "Concatenate"),
        ("dense_3", "Dense"),
    ]
    assert loaded.graph.params.total == 2 * (4 * 8 + 8) + 16 * 3 + 3
    assert loaded.spec.config.layers[0].config.dtype == "float32"


MODES = [("sum", "Add"), ("mul", "Multiply"), ("ave", "Average"), ("max", "Maximum")]


@pytest.mark.parametrize(("mode", "kind"), MODES)
def test_each_merge_mode_is_its_layer(mode: str, kind: str) -> None:
    loaded = load_data(merge_model(mode=mode), "k1.json")
    assert loaded.graph.layer("merge_1").kind == kind
    assert loaded.graph.output_shapes == [(None, 3)]


@pytest.mark.parametrize(
    ("merge", "field", "message"),
    [
        ({"mode": "gASVKAAAAAAAAAB9lC4=", "mode_type": "lambda"}, "mode", "holds code; nnspec never runs it"),
        ({"output_shape": [None, 16]}, "output_shape", "a Merge layer's output_shape"),
    ],
)
def test_what_a_merge_cannot_be_is_refused_at_its_path(merge: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(SpecError) as caught:
        load_data(merge_model(**merge), "k1.json")
    (problem,) = caught.value.problems
    assert problem.path == f"config.layers[3].config.{field}" and message in problem.message


@pytest.mark.parametrize("mode", ["dot", "cos"])
def test_a_dot_or_cos_merge_is_keras_dot_layer(mode: str) -> None:
    """tf-keras 2.21 gives the Keras 2 model with Dot(axes=-1, normalize=mode == 'cos') in the
    Merge's place 86 parameters and the merge an output of (None, 1)."""
    loaded = load_data(merge_model(mode=mode, dot_axes=[1, 1]), "k1.json")
    merged = loaded.spec.config.layers[3].config
    assert (merged.kind, merged.axes, merged.normalize) == ("Dot", (1, 1), mode == "cos")
    assert loaded.graph.params.total == 86 and loaded.graph.output_shapes == [(None, 3)]


@pytest.mark.keras
@pytest.mark.torch
def test_a_cos_merge_passes_the_parity_check(tmp_path: Any) -> None:
    path = tmp_path / "k1_cos.json"
    path.write_text(json.dumps(merge_model(mode="cos", dot_axes=[1, 1])))
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 0, result.output
    assert "PASS" in result.output


def test_a_bad_dot_axes_is_reported_as_dot_axes() -> None:
    with pytest.raises(SpecError) as caught:
        load_data(merge_model(mode="dot", dot_axes="last"), "k1.json")
    assert [p.path for p in caught.value.problems] == ["config.layers[3].config.dot_axes"]


def test_a_keras2_file_with_the_legacy_merge_reads_too() -> None:
    doc = copy.deepcopy(merge_model(mode="sum"))
    doc["keras_version"] = "2.0.8"
    for layer in doc["config"]["layers"][1:]:
        config = layer["config"]
        if layer["class_name"] == "Dense":
            units, activation = config["output_dim"], config["activation"]
            layer["config"] = {"name": config["name"], "units": units, "activation": activation}
    doc["config"]["layers"][0]["config"] = {"name": "input_1", "batch_input_shape": [None, 4], "dtype": "float32"}
    loaded = load_data(doc, "k2.json")
    assert loaded.dialect == "keras2" and loaded.graph.layer("merge_1").kind == "Add"


@pytest.mark.keras
@pytest.mark.torch
def test_the_keras1_model_passes_the_parity_check() -> None:
    result = CliRunner().invoke(app, ["check", str(MERGE_FILE)])
    assert result.exit_code == 0, result.output
    assert "PASS" in result.output
