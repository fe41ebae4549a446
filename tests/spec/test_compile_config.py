"""compile_config's loss: one loss, one per output, or one per named output."""

from __future__ import annotations

import pytest

from nnspec.spec.training import CompileConfig, Loss

KERAS_OBJECT = {
    "module": "keras.losses",
    "class_name": "SparseCategoricalCrossentropy",
    "config": {"name": "sparse_categorical_crossentropy", "reduction": "sum_over_batch_size", "from_logits": True},
    "registered_name": None,
}


@pytest.mark.parametrize(
    "loss",
    [KERAS_OBJECT, {k: v for k, v in KERAS_OBJECT.items() if k in ("class_name", "config")}],
    ids=["keras3-object", "class-name-and-config"],
)
def test_a_keras_loss_object_is_one_loss_not_a_dict_per_output(loss: dict) -> None:
    parsed = CompileConfig.model_validate({"loss": loss}).loss
    assert isinstance(parsed, Loss)
    assert (parsed.name, parsed.from_logits) == ("sparse_categorical_crossentropy", True)


def test_losses_per_output() -> None:
    assert [x.name for x in CompileConfig.model_validate({"loss": ["mse", "mae"]}).loss] == [
        "mean_squared_error",
        "mean_absolute_error",
    ]
    named = CompileConfig.model_validate({"loss": {"score": "mse", "label": KERAS_OBJECT}}).loss
    assert named["score"].name == "mean_squared_error" and named["label"].from_logits
