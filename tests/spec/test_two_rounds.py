"""Structural problems and graph problems are reported together (issue 2): a layer that
fails validation no longer hides a duplicate name, a dangling reference or a shape
error elsewhere; nothing is inferred downstream of it, so it causes no false alarms."""

from __future__ import annotations

import pytest

from nnspec.spec import SpecError, loads

FUNCTIONAL = """
class_name: Functional
config:
  name: f
  layers:
  - {class_name: InputLayer, config: {name: a, batch_shape: [null, 6]}}
  - {class_name: Dense, config: {name: d1, units: 4}, inputs: a}
  - {class_name: Dense, config: {name: d2, units: 4}, inputs: d1}
  - {class_name: Dense, config: {name: d3, units: 4}, inputs: a}
  - {class_name: Add, config: {name: sum}, inputs: [d2, d3]}
  input_layers: a
  output_layers: sum
"""

SEQUENTIAL = """
class_name: Sequential
config:
  name: s
  layers:
  - {class_name: InputLayer, config: {name: a, batch_shape: [null, 6]}}
  - {class_name: Dense, config: {name: d1, units: 4}}
  - {class_name: Reshape, config: {name: r, target_shape: [2, 2]}}
  - {class_name: Dense, config: {name: d2, units: 4}}
  - {class_name: Flatten, config: {name: f}}
"""


def _problems(text: str) -> list[str]:
    with pytest.raises(SpecError) as caught:
        loads(text)
    return [str(problem) for problem in caught.value.problems]


def test_the_unchanged_documents_are_valid() -> None:
    assert loads(FUNCTIONAL).graph.params.total == (6 * 4 + 4) + (4 * 4 + 4) + (6 * 4 + 4)
    assert loads(SEQUENTIAL).graph.params.total == 6 * 4 + 4 + 2 * 4 + 4


def test_a_structural_error_and_a_duplicate_name_elsewhere() -> None:
    text = FUNCTIONAL.replace("name: d1, units: 4", 'name: d1, units: "x"').replace("name: d3,", "name: d2,")
    problems = _problems(text)
    assert problems[0].startswith("config.layers[1].config.units: invalid value; expected an integer")
    assert problems[1].startswith("config.layers[3].config.name: duplicate layer name 'd2' (also layer 2)")
    assert len(problems) == 2


def test_a_structural_error_and_a_dangling_reference_elsewhere() -> None:
    text = FUNCTIONAL.replace("name: d1, units: 4", "name: d1, units: 4, unitz: 5").replace(
        "inputs: a}\n  - {class_name: Add", "inputs: b}\n  - {class_name: Add"
    )
    problems = _problems(text)
    assert problems == [
        "config.layers[1].config.unitz: unknown field 'unitz' for Dense (did you mean 'units'?)",
        "config.layers[3].inbound_nodes[0].inputs: refers to unknown layer 'b', received ['b', 0, 0] "
        "(check the layer names)",
    ]


def test_a_broken_layers_own_references_are_checked() -> None:
    text = FUNCTIONAL.replace("{name: d2, units: 4}, inputs: d1", "{name: d2, units: -4}, inputs: d9")
    problems = _problems(text)
    assert problems[0].startswith("config.layers[2].config.units: invalid value; expected greater than 0")
    assert problems[1].startswith("config.layers[2].inbound_nodes[0].inputs: refers to unknown layer 'd9'")
    assert len(problems) == 2


def test_nothing_is_inferred_downstream_of_a_broken_layer() -> None:
    """d2 is broken: Add's shapes are unknown, so no shape error is invented for it."""
    text = FUNCTIONAL.replace("name: d2, units: 4", "name: d2, units: 4, bogus: 1").replace(
        "name: d3, units: 4", "name: d3, units: 5"
    )
    assert _problems(text) == [
        "config.layers[2].config.bogus: unknown field 'bogus' for Dense (Keras has no such option)"
    ]


def test_shape_errors_upstream_of_a_broken_layer_are_reported() -> None:
    text = SEQUENTIAL.replace("target_shape: [2, 2]", "target_shape: [3, 2]").replace(
        "name: d2, units: 4", "name: d2, units: true"
    )
    problems = _problems(text)
    assert problems[0] == (
        "config.layers[3].config.units: invalid value; expected an integer, received True "
        "(true and false are not numbers in a spec)"
    )
    assert problems[1].startswith("config.layers[2]: Reshape layer 'r': cannot reshape (None, 4) (4 values) to (3, 2)")
    assert len(problems) == 2


def test_a_sequential_duplicate_name_with_a_broken_layer() -> None:
    text = SEQUENTIAL.replace("{name: f}", "{name: d1, data_format: sideways}")
    problems = _problems(text)
    assert problems[0].startswith("config.layers[4].config.data_format: not an accepted value")
    assert problems[1].startswith("config.layers[4].config.name: duplicate layer name 'd1' (also layer 1)")


def test_an_unknown_layer_class_and_a_cycle() -> None:
    """sum needs the broken d3, so nothing downstream is inferred, but its cycle with d2 is still found."""
    text = FUNCTIONAL.replace("class_name: Dense, config: {name: d3", "class_name: Dence, config: {name: d3").replace(
        "inputs: d1}", "inputs: sum}"
    )
    assert _problems(text) == [
        "config.layers[3]: unknown layer 'Dence', received 'Dence' (did you mean 'Dense'?)",
        "config.layers[2].inbound_nodes: the graph has a cycle through layers 'd2', 'sum' "
        "(a layer cannot depend on its own output)",
    ]


def test_a_code_layer_and_a_duplicate_name() -> None:
    """The normaliser's own refusals count as the first round too."""
    text = FUNCTIONAL.replace(
        "{class_name: Dense, config: {name: d3, units: 4}, inputs: a}",
        "{class_name: Lambda, config: {name: d1}, inputs: a}",
    )
    problems = _problems(text)
    assert problems[0].startswith("config.layers[3].class_name: a Lambda layer holds Python code")
    assert "config.layers[3].config.name: duplicate layer name 'd1' (also layer 1)" in " ".join(problems)


def test_no_second_round_when_the_model_itself_is_broken() -> None:
    """The model's own fields (here its outputs) are needed to check its graph soundly."""
    text = FUNCTIONAL.replace("name: d1, units: 4", 'name: d1, units: "x"').replace(
        "output_layers: sum", "output_layers: 7"
    )
    problems = _problems(text)
    assert all(not p.startswith("config.layers[3]") for p in problems)
    assert any(p.startswith("config.layers[1].config.units") for p in problems)
    assert any(p.startswith("config.output_layers") for p in problems)


def test_training_config_errors_do_not_stop_the_graph_checks() -> None:
    text = FUNCTIONAL.replace("name: d3,", "name: d2,") + "compile_config: {optimizer: adamm}\n"
    problems = _problems(text)
    assert problems[0].startswith("compile_config.optimizer: unknown optimizer 'adamm'")
    assert problems[1].startswith("config.layers[3].config.name: duplicate layer name 'd2'")
