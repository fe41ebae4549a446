"""nnspec's static shapes and counts against the real Keras, for every fixture and
example; and Keras 3 JSON written by nnspec, read back by Keras itself."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from conftest import FIXTURE_FILES, FIXTURES, VALID_EXAMPLES, expected_of
from nnspec.spec import SpecError, load, loads
from nnspec.spec.summary import summarize
from nnspec.spec.write import to_keras_json

pytestmark = pytest.mark.keras

# tf.keras 2's hard_sigmoid is clip(0.2x + 0.5); Keras 3 has no builtin for it.
NO_KERAS3_FORM = {"keras2/activations.json"}


def _rel(path: Path) -> str:
    return str(path.relative_to(FIXTURES))


def _shape_list(shape: str) -> object:
    return json.loads(shape.replace("(", "[").replace(")", "]").replace("None", "null").replace(",]", "]"))


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=_rel)
def test_fixture_matches_what_keras_reported(fixture: Path) -> None:
    """Shapes and counts equal those the writing library printed (recorded in .expected.json)."""
    expected = expected_of(fixture)
    summary = summarize(load(fixture).graph)
    assert summary.total_params == expected["total_params"]
    assert summary.trainable_params == expected["trainable_params"]
    assert summary.non_trainable_params == expected["non_trainable_params"]
    rows = {row.name: row for row in summary.rows}
    for layer in expected["layers"]:
        row = rows[layer["name"]]
        assert row.class_name == layer["class_name"]
        assert row.params == layer["params"], layer["name"]
        want = layer["output_shape"]
        got = _shape_list(row.output_shape)
        assert got == want or [got] == want or got == [want], (layer["name"], got, want)


def _keras_model(keras, loaded):
    text = json.dumps(to_keras_json(loaded.spec, loaded.graph))
    return keras.models.model_from_json(text)


def _check_against_keras(keras, loaded) -> None:
    model = _keras_model(keras, loaded)
    rng = np.random.default_rng(0)
    from nnspec.spec.graph import index_bounds

    graph = loaded.graph
    arrays = []
    for shape, bound, dtype in zip(graph.input_shapes, index_bounds(graph), graph.input_dtypes, strict=True):
        size = [1, *(3 if d is None else d for d in shape[1:])]  # an open length: 3 steps
        values = rng.normal(size=size) if bound is None else rng.integers(0, bound, size=size)
        arrays.append(values.astype(dtype if dtype.startswith("int") else "float32"))
    structure = loaded.spec.config.input_layers if loaded.graph.kind == "Functional" else None
    if isinstance(structure, dict):
        model(dict(zip(structure, arrays, strict=True)))
    else:
        model(arrays if len(arrays) > 1 else arrays[0])  # builds lazily-made weights (a PReLU activation)
    summary = summarize(loaded.graph)
    assert model.count_params() == summary.total_params
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    assert trainable == summary.trainable_params
    rows = {row.name: row for row in summary.rows}
    for layer in model.layers:
        row = rows[layer.name]
        assert row.class_name == type(layer).__name__
        assert layer.count_params() == row.params, layer.name
        assert _shape_list(row.output_shape) == _shape_list(str(tuple(layer.output.shape))), layer.name


@pytest.mark.parametrize("fixture", [f for f in FIXTURE_FILES if _rel(f) not in NO_KERAS3_FORM], ids=_rel)
def test_fixture_roundtrips_through_keras3_json(keras, fixture: Path) -> None:
    _check_against_keras(keras, load(fixture))


@pytest.mark.parametrize("path", VALID_EXAMPLES, ids=lambda p: p.stem)
def test_example_matches_real_keras(keras, path: Path) -> None:
    _check_against_keras(keras, load(path))


def test_keras2_hard_sigmoid_is_refused_for_keras3_not_silently_changed() -> None:
    loaded = load(FIXTURES / "keras2" / "activations.json")
    with pytest.raises(SpecError, match="no Keras 3 equivalent"):
        to_keras_json(loaded.spec, loaded.graph)


@pytest.mark.parametrize("fixture", sorted((FIXTURES / "keras2").glob("*[!d].json")), ids=lambda p: p.stem)
def test_keras3_cannot_read_keras2_json_but_nnspec_can(keras, fixture: Path) -> None:
    if fixture.name.endswith(".expected.json"):
        pytest.fail("glob picked an expected file")
    with pytest.raises(Exception):  # noqa: B017 - any refusal; Keras raises TypeError or ValueError
        keras.models.model_from_json(fixture.read_text())
    assert load(fixture).graph.params.total == expected_of(fixture)["total_params"]


COMMON = sorted(p.name for p in (FIXTURES / "keras2").glob("*.json") if (FIXTURES / "keras3" / p.name).exists())


@pytest.mark.parametrize("name", [n for n in COMMON if not n.endswith(".expected.json")])
def test_keras2_and_keras3_json_normalise_to_the_same_model(name: str) -> None:
    """Same architecture from both writers: same kinds, shapes, counts (names may differ)."""
    old, new = load(FIXTURES / "keras2" / name).graph, load(FIXTURES / "keras3" / name).graph

    def outline(graph):
        # tf.keras 2 has no hard_silu: the fixture README says those layers exist in Keras 3 only
        return [(i.kind, i.params.total, i.output_shapes) for i in graph.layers if "hard_s" not in i.name]

    assert outline(old) == outline(new)


METRICS_SPEC = """
class_name: Sequential
config:
  name: scored
  layers:
  - {class_name: InputLayer, config: {name: x, batch_shape: [null, 4]}}
  - {class_name: Dense, config: {name: probs, units: 10, activation: softmax}}
compile_config:
  optimizer: adam
  loss: categorical_crossentropy
  metrics:
  - {name: top_k_categorical_accuracy, k: 1}
  - {class_name: BinaryAccuracy, config: {threshold: 0.05}}
  - accuracy
"""


def test_metric_options_survive_keras3_json(keras) -> None:
    """Before, a metric with options was written as its bare name: Keras then used its defaults (k=5, 0.5)."""
    loaded = loads(METRICS_SPEC)
    text = json.dumps(to_keras_json(loaded.spec, loaded.graph))
    model = keras.models.model_from_json(text)  # compiles it from its compile_config
    metrics = json.loads(text)["compile_config"]["metrics"]
    top_k, binary = (keras.metrics.deserialize(m) for m in metrics[:2])
    assert (type(top_k).__name__, top_k.k) == ("TopKCategoricalAccuracy", 1)
    assert (type(binary).__name__, binary.threshold) == ("BinaryAccuracy", pytest.approx(0.05))
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = np.eye(10, dtype="float32")[rng.integers(0, 10, 64)]
    scores = model.evaluate(x, y, verbose=0, return_dict=True)
    p = model.predict(x, verbose=0)
    assert scores["top_k_categorical_accuracy"] == pytest.approx((p.argmax(1) == y.argmax(1)).mean())
    assert scores["binary_accuracy"] == pytest.approx(((p > 0.05) == y).mean())
