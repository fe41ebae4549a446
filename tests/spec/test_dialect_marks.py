"""A Keras config without keras_version (copied out of an `.h5` model_config or a TF.js
modelTopology) is read by the marks its writer left, exactly as with the version key."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from written_module import written_module

from nnspec.spec import SpecError, loads
from nnspec.spec.normalize import normalize

FIXTURES = Path(__file__).parents[1] / "fixtures"
EXAMPLES = Path(__file__).parents[2] / "examples"
TOP_MARKS = ("keras_version", "backend", "module", "registered_name")


def _files(folder: str) -> list[Path]:
    return sorted(p for p in (FIXTURES / folder).glob("*.json") if not p.name.endswith(".expected.json"))


def _unversioned(path: Path) -> dict[str, Any]:
    doc = json.loads(path.read_text())
    return {key: value for key, value in doc.items() if key not in TOP_MARKS}


@pytest.mark.parametrize("path", _files("keras2") + _files("applications/keras2"), ids=lambda p: p.stem)
def test_tf_keras_2_config_without_version_reads_as_with_it(path: Path) -> None:
    versioned = normalize(json.loads(path.read_text()))
    bare = normalize(_unversioned(path))
    assert (bare.dialect, bare.data, bare.problems) == ("keras2", versioned.data, versioned.problems)


@pytest.mark.parametrize("path", _files("keras3"), ids=lambda p: p.stem)
def test_keras_3_config_without_version_is_not_taken_for_keras_2(path: Path) -> None:
    bare = normalize(_unversioned(path))
    assert bare.dialect in ("keras3", "concise")
    assert bare.data == normalize(json.loads(path.read_text())).data


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_hand_written_examples_stay_concise(path: Path) -> None:
    assert normalize(_yaml(path)).dialect == "concise"


def _yaml(path: Path) -> Any:
    import yaml

    return yaml.safe_load(path.read_text())


def test_gru_without_reset_after_in_an_unversioned_keras_2_file_keeps_keras_2s_default() -> None:
    """Keras 2.0-2.2 wrote no reset_after and computed without it: the marks decide the default."""
    doc = {
        "class_name": "Sequential",
        "config": {
            "name": "old",
            "layers": [
                {
                    "class_name": "GRU",
                    "config": {
                        "name": "gru",
                        "units": 4,
                        "trainable": True,
                        "dtype": "float32",
                        "batch_input_shape": [None, 5, 3],
                    },
                }
            ],
        },
    }
    loaded = loads(json.dumps(doc))
    assert loaded.dialect == "keras2"
    assert loaded.graph.params.total == 3 * (3 * 4 + 4 * 4 + 4)  # one bias: reset_after=False


def test_hand_written_gru_with_a_plain_input_shape_stays_keras_3() -> None:
    text = """
class_name: Sequential
config:
  name: hand_written
  layers:
  - {class_name: GRU, config: {units: 4, batch_input_shape: [null, 5, 3]}}
"""
    loaded = loads(text)
    assert loaded.dialect == "concise"
    assert loaded.graph.params.total == 3 * (3 * 4 + 4 * 4 + 2 * 4)  # Keras 3's two biases


def test_a_model_without_a_name_is_told_so_at_its_name() -> None:
    """pydantic's loc ends in 'name', which is also a reference union's tag: it is the field here."""
    with pytest.raises(SpecError) as caught:
        loads("class_name: Sequential\nconfig:\n  layers:\n  - {class_name: Dense, config: {units: 2}}\n")
    assert [(p.path, p.message) for p in caught.value.problems] == [("config.name", "required field 'name' is missing")]


@pytest.mark.keras
@pytest.mark.torch
def test_keras_21_nested_first_model_converts_with_tf_keras_weights_and_outputs(tmp_path: Path) -> None:
    """Keras <= 2.1 wrote the input shape on the first layer of a nested first model; tf-keras
    loads such a file (tests/fixtures/make_keras21.py recorded its count, weights and outputs)."""
    import numpy as np
    import torch

    from nnspec.compiler.convert import convert_to_torch

    folder = FIXTURES / "keras21"
    recorded = np.load(folder / "nested_first.npz")
    loaded = loads((folder / "nested_first.json").read_text())
    assert (loaded.dialect, loaded.graph.params.total) == ("keras2", int(recorded["params"]))
    assert [info.name for info in loaded.graph.layers] == ["sequential_1", "dense_3"]

    convert_to_torch(folder / "nested_first.h5", tmp_path, spec=folder / "nested_first.json", layout="keras")
    net = written_module(tmp_path, loaded)
    with torch.no_grad():
        out = net(torch.from_numpy(recorded["x"])).numpy()
    assert np.abs(out - recorded["y"]).max() < 1e-5


@pytest.mark.parametrize(
    "outputs",
    [{"a": ["a", 0, 0], "pair": [["a", 0, 0], ["b", 0, 0]]}, [[["a", 0, 0], ["b", 0, 0]], ["a", 0, 0]]],
)
def test_a_nested_structure_of_outputs_is_one_problem_at_the_outputs(outputs: Any) -> None:
    """Keras 3 lets a model return nested lists and dicts; nnspec's models take and return a
    tensor, a list or a dict: said once, where the structure is, not as pydantic's union errors."""
    doc = {
        "class_name": "Functional",
        "config": {
            "name": "nested_out",
            "layers": [
                {"class_name": "InputLayer", "config": {"name": "x", "batch_shape": [None, 4]}},
                {
                    "class_name": "Dense",
                    "config": {"name": "a", "units": 2},
                    "inbound_nodes": [{"inputs": ["x", 0, 0]}],
                },
                {
                    "class_name": "Dense",
                    "config": {"name": "b", "units": 3},
                    "inbound_nodes": [{"inputs": ["x", 0, 0]}],
                },
            ],
            "input_layers": ["x", 0, 0],
            "output_layers": outputs,
        },
    }
    with pytest.raises(SpecError) as caught:
        loads(json.dumps(doc))
    (problem,) = caught.value.problems
    assert problem.path == "config.output_layers" and "a nested structure of tensors" in problem.message
