"""The concise hand-written form, Keras-2 spellings, and the graph errors they can hide."""

from __future__ import annotations

import pytest

from nnspec.spec import SpecError, loads

CONCISE = """
class_name: Functional
config:
  name: concise
  layers:
  - {class_name: InputLayer, config: {name: a, batch_shape: [null, 6]}}
  - {class_name: InputLayer, config: {name: b, batch_shape: [null, 6]}}
  - {class_name: Dense, config: {name: shared, units: 5}, inbound_nodes: [a, b]}
  - {class_name: Add, inputs: [[shared, 0, 0], [shared, 1, 0]]}
  - {class_name: Dense, config: {units: 1}, inputs: add}
  input_layers: [a, b]
  output_layers: dense
"""


def test_concise_form_names_layers_like_keras_and_resolves_names() -> None:
    graph = loads(CONCISE).graph
    assert [info.name for info in graph.layers] == ["a", "b", "shared", "add", "dense"]
    assert graph.params.total == 6 * 5 + 5 + 5 + 1
    assert len(graph.layer("shared").calls) == 2


def test_concise_reference_to_a_shared_layer_is_ambiguous() -> None:
    text = CONCISE.replace("inputs: [[shared, 0, 0], [shared, 1, 0]]", "inputs: [shared, shared]")
    with pytest.raises(SpecError) as caught:
        loads(text)
    assert "ambiguous reference: layer 'shared' is called 2 times" in str(caught.value)


def test_shared_layer_called_on_a_shape_its_weights_do_not_fit() -> None:
    text = CONCISE.replace("{name: b, batch_shape: [null, 6]}", "{name: b, batch_shape: [null, 7]}")
    with pytest.raises(SpecError, match="shared layer 'shared' is called on b \\(None, 7\\)"):
        loads(text)


def test_every_problem_is_reported_together() -> None:
    text = CONCISE.replace("units: 5}", "units: 0}").replace("units: 1}", "unit: 1}")
    with pytest.raises(SpecError) as caught:
        loads(text)
    paths = [p.path for p in caught.value.problems]
    assert "config.layers[2].config.units" in paths
    assert "config.layers[4].config.unit" in paths


def test_keras2_leaky_relu_alpha_and_first_layer_input_shape() -> None:
    text = """
{"class_name": "Sequential", "keras_version": "2.15.0", "backend": "tensorflow",
 "config": {"name": "m", "layers": [
   {"class_name": "Dense", "config": {"name": "d", "units": 3, "batch_input_shape": [null, 4], "dtype": "float32"}},
   {"class_name": "LeakyReLU", "config": {"name": "l", "alpha": 0.20000000298023224}},
   {"class_name": "Activation", "config": {"name": "h", "activation": "hard_sigmoid"}}]}}
"""
    loaded = loads(text)
    layers = loaded.spec.config.layers
    assert loaded.dialect == "keras2"
    assert layers[0].class_name == "InputLayer" and layers[0].config.batch_shape == [None, 4]
    assert layers[2].config.negative_slope == 0.2  # float32 noise tidied, Keras 2's alpha renamed
    assert layers[3].config.activation == "legacy_hard_sigmoid"  # Keras 2 meant clip(0.2x + 0.5)


def test_error_paths_point_into_the_users_file_not_the_normalised_one() -> None:
    text = """
{"class_name": "Sequential", "keras_version": "2.2.4",
 "config": [
   {"class_name": "Dense", "config": {"name": "d", "units": 3, "batch_input_shape": [null, 4]}},
   {"class_name": "Dense", "config": {"name": "e", "units": -1}}]}
"""
    with pytest.raises(SpecError) as caught:
        loads(text)
    assert [p.path for p in caught.value.problems] == ["config[1].config.units"]


@pytest.mark.parametrize(
    ("layer", "message"),
    [
        (
            '{"class_name": "MyLayer", "module": "my_pkg.layers", "registered_name": "my_pkg>MyLayer", "config": {}}',
            "custom class 'my_pkg>MyLayer'",
        ),
        ('{"class_name": "Lambda", "config": {"name": "f", "function": "lambda x: x"}}', "nnspec never runs code"),
        ('{"class_name": "Dense", "config": {"name": "d", "units": 3, "lora_rank": 4}}', "LoRA adapters"),
        ('{"class_name": "BatchNormalization", "config": {"name": "b", "renorm": true}}', "renormalization"),
        (
            '{"class_name": "InputLayer", "config": {"name": "i2", "batch_shape": [null, 4], "sparse": true}}',
            "sparse inputs",
        ),
    ],
)
def test_unsupported_things_are_refused_with_a_reason(layer: str, message: str) -> None:
    text = (
        '{"class_name": "Sequential", "config": {"name": "m", "layers": ['
        '{"class_name": "InputLayer", "config": {"name": "i", "batch_shape": [null, 4]}}, ' + layer + "]}}"
    )
    with pytest.raises(SpecError, match=message):
        loads(text)
