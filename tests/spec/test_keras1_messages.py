"""What nnspec says about Keras 1 and Keras 0.x files (issue 11): a Keras 1 file without
`keras_version` is known by its fields; what cannot be mapped is one problem naming the field
or layer the user wrote, never a guess at another field; a Keras 0.x file is refused as one."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest

from conftest import FIXTURES
from nnspec.spec import SpecError, load_data

KERAS1 = FIXTURES / "keras1"
FILES = ["k1_image_th", "k1_sequence_1d", "k1_volume_tf", "k1_functional_merge", "k1_sequential_merge"]


def fixture(name: str) -> dict[str, Any]:
    return json.loads((KERAS1 / f"{name}.json").read_text())


def layers_of(doc: dict[str, Any]) -> tuple[list[dict[str, Any]], str]:
    config = doc["config"]
    return (config, "config") if isinstance(config, list) else (config["layers"], "config.layers")


@pytest.mark.parametrize("name", FILES)
def test_a_keras1_file_without_its_version_is_read_as_keras1(name: str) -> None:
    doc = fixture(name)
    with_version = load_data(doc, "k1.json")
    del doc["keras_version"]
    without = load_data(doc, "k1.json")
    assert without.dialect == "keras1"
    assert without.graph.params == with_version.graph.params
    assert without.graph.output_shapes == with_version.graph.output_shapes


@pytest.mark.parametrize("name", FILES)
def test_no_message_blames_a_field_the_user_never_wrote(name: str) -> None:
    """Each field of each layer, given a bad value: every problem inside that layer's config
    names a field the file holds, and none offers a did-you-mean."""
    doc = fixture(name)
    layers, prefix = layers_of(doc)
    refused = 0
    for index, layer in enumerate(layers):
        written = set(layer["config"])
        inside = re.compile(re.escape(f"{prefix}[{index}].config.") + r"(\w+)")
        for field in sorted(written - {"name"}):
            for bad in ("bogus", {"x": 1}):
                broken = copy.deepcopy(doc)
                layers_of(broken)[0][index]["config"][field] = bad
                try:
                    load_data(broken, "k1.json")
                except SpecError as caught:
                    refused += 1
                    for problem in caught.problems:
                        match = inside.match(problem.path)
                        assert match is None or match.group(1) in written, (field, bad, str(problem))
                        assert "did you mean" not in (problem.hint or ""), (field, bad, str(problem))
    assert refused > 20  # the bad values were seen


def test_a_field_keras_3_lacks_is_one_problem_not_a_dozen() -> None:
    doc = fixture("k1_image_th")
    doc["config"][0]["config"] |= {"W_learning_rate_multiplier": 2.0, "b_learning_rate_multiplier": 1.0}
    with pytest.raises(SpecError) as caught:
        load_data(doc, "k1.json")
    assert [p.path for p in caught.value.problems] == [
        "config[0].config.W_learning_rate_multiplier",
        "config[0].config.b_learning_rate_multiplier",
    ]
    assert all(
        "a Keras 1 field" in p.message and "Conv2D has no such field" in p.message for p in caught.value.problems
    )


@pytest.mark.parametrize("kind", ["Highway", "MaxoutDense", "SReLU"])
def test_a_keras1_layer_keras_3_lacks_is_named(kind: str) -> None:
    doc = fixture("k1_sequence_1d")
    doc["config"][7] = {"class_name": kind, "config": {"name": "old", "init": "glorot_uniform", "trainable": True}}
    with pytest.raises(SpecError) as caught:
        load_data(doc, "k1.json")
    (problem,) = caught.value.problems
    assert problem.path == "config[7].class_name" and f"Keras 1's {kind}" in problem.message


def test_time_distributed_dense_is_a_dense_on_the_last_axis() -> None:
    """Keras 1's TimeDistributedDense: Keras 2's TimeDistributed(Dense), whose counts tf-keras
    gives as 8 * 3 + 3 (and a Dense on a 3D tensor computes the same)."""
    doc = fixture("k1_sequence_1d")
    inner = doc["config"][6]["config"]["layer"]["config"]
    doc["config"][6] = {"class_name": "TimeDistributedDense", "config": {**inner, "input_length": None}}
    loaded = load_data(doc, "k1.json")
    assert loaded.graph.layer("dense_2").kind == "Dense"
    assert loaded.graph.params.total == 803


KERAS0_SEQUENTIAL = {  # Keras 0.3's to_json(): containers and layers named by class in `name`
    "name": "Sequential",
    "layers": [
        {"name": "Dense", "input_dim": 4, "output_dim": 3, "init": "glorot_uniform", "activation": "linear"},
        {"name": "Activation", "activation": "softmax", "beta": 0.1, "target": 0},
    ],
    "class_mode": "categorical",
}
KERAS0_GRAPH = {
    "name": "Graph",
    "input_config": [{"name": "input", "input_shape": [4], "dtype": "float"}],
    "node_config": [{"name": "dense", "input": "input"}],
    "output_config": [{"name": "output", "input": "dense"}],
    "nodes": {"dense": {"name": "Dense", "input_dim": 4, "output_dim": 2}},
}


@pytest.mark.parametrize("doc", [KERAS0_SEQUENTIAL, KERAS0_GRAPH], ids=["sequential", "graph"])
def test_a_keras0_file_is_refused_as_one(doc: dict[str, Any]) -> None:
    with pytest.raises(SpecError) as caught:
        load_data(doc, "k0.json")
    (problem,) = caught.value.problems
    assert problem.path == "<document>" and "a Keras 0.x file" in problem.message
