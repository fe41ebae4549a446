"""Metric options (top-k's k, binary accuracy's threshold) in Keras 3 JSON (issue 2).
That Keras itself reads them back is in test_keras_agreement."""

from __future__ import annotations

import json

import pytest

from nnspec.spec import SpecError, loads
from nnspec.spec.write import to_keras_json

SPEC = """
class_name: Sequential
config:
  name: scored
  layers:
  - {class_name: InputLayer, config: {name: x, batch_shape: [null, 4]}}
  - {class_name: Dense, config: {name: probs, units: 10, activation: softmax}}
compile_config:
  optimizer: adam
  loss: categorical_crossentropy
  metrics: METRICS
"""


def _keras_metrics(metrics: str) -> list:
    loaded = loads(SPEC.replace("METRICS", metrics))
    return to_keras_json(loaded.spec, loaded.graph)["compile_config"]["metrics"]


def test_a_metric_with_options_is_written_as_keras_writes_it() -> None:
    written = _keras_metrics("[{name: top_k_categorical_accuracy, k: 3}, {name: binary_accuracy, threshold: 0.7}]")
    assert written == [
        {
            "module": "keras.metrics",
            "class_name": "TopKCategoricalAccuracy",
            "config": {"name": "top_k_categorical_accuracy", "dtype": "float32", "k": 3},
            "registered_name": None,
        },
        {
            "module": "keras.metrics",
            "class_name": "BinaryAccuracy",
            "config": {"name": "binary_accuracy", "dtype": "float32", "threshold": 0.7},
            "registered_name": None,
        },
    ]


def test_a_metric_at_its_defaults_stays_a_name() -> None:
    assert _keras_metrics("[accuracy, {name: top_k_categorical_accuracy, k: 5}, mse]") == [
        "accuracy",
        "top_k_categorical_accuracy",
        "mse",  # the spelling given is the name Keras reports, so it is kept
    ]


def test_written_metric_options_read_back_the_same() -> None:
    loaded = loads(SPEC.replace("METRICS", "[[{name: sparse_top_k_categorical_accuracy, k: 2}], accuracy]"))
    again = loads(json.dumps(to_keras_json(loaded.spec, loaded.graph)))
    assert again.spec.compile_config == loaded.spec.compile_config
    assert again.spec.compile_config.metrics[0][0].k == 2


def test_an_option_the_metric_does_not_have_is_refused() -> None:
    """It would have been dropped, or made Keras fail: Accuracy(k=3) is a TypeError."""
    with pytest.raises(SpecError, match=r"compile_config.metrics\[0\]: metric accuracy has no option k"):
        loads(SPEC.replace("METRICS", "[{name: accuracy, k: 3}]"))


@pytest.mark.parametrize("key", ["loss", "metrics"])
def test_a_loss_or_metric_object_whose_config_is_not_a_mapping_is_a_spec_error(key: str) -> None:
    """Found by fuzzing: {class_name: ..., config: true} was a TypeError traceback."""
    value = "{class_name: MeanSquaredError, config: true}"
    text = SPEC.replace("metrics: METRICS", f"{key}: {value if key == 'loss' else f'[{value}]'}")
    text = text.replace("  loss: categorical_crossentropy\n", "") if key == "loss" else text
    with pytest.raises(SpecError, match=f"compile_config.{key}"):
        loads(text)
