"""tf.keras 2's TFOpLambda layers (a TensorFlow function called on Keras tensors) read as
the Keras 3 operations they compute: files tf-keras wrote convert with its outputs, and a
function nnspec does not read is refused by name, once, at the layer's `function`."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from written_module import written_module

from conftest import FIXTURES
from nnspec.spec import SpecError, loads

TFOP = FIXTURES / "keras2_tfop"


@pytest.mark.keras
@pytest.mark.torch
@pytest.mark.parametrize("name", ["tf_elementwise", "tf_image_residual", "tf_shapes", "tf_slices"])
def test_tf_keras_files_with_tensorflow_functions_convert_with_their_outputs(name: str, tmp_path: Path) -> None:
    import torch

    from nnspec.compiler.convert import convert_to_torch, keras_file_spec

    recorded = np.load(TFOP / f"{name}.npz")
    loaded = keras_file_spec(TFOP / f"{name}.h5")
    assert loaded.graph.params.total == int(recorded["params"])
    result = convert_to_torch(TFOP / f"{name}.h5", tmp_path, layout="keras")
    assert result.report is not None and result.report.passed
    with torch.no_grad():
        out = written_module(tmp_path, loaded)(torch.from_numpy(recorded["x"])).numpy()
    assert np.abs(out - recorded["y"]).max() <= 1e-5 * max(1.0, float(np.abs(recorded["y"]).max()))


def _with_first_tfop(change: dict[str, object]) -> str:
    """The elementwise model's architecture, its first TFOpLambda changed."""
    import h5py

    with h5py.File(TFOP / "tf_elementwise.h5", "r") as handle:
        doc = json.loads(handle.attrs["model_config"])
    doc["keras_version"] = "2.21.0"
    layer = next(layer for layer in doc["config"]["layers"] if layer["class_name"] == "TFOpLambda")
    layer["config"].update(change.get("config", {}))  # type: ignore[arg-type]
    if "inbound_nodes" in change:
        layer["inbound_nodes"] = change["inbound_nodes"]
    return json.dumps(doc)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"config": {"function": "signal.fft"}}, "TensorFlow function 'signal.fft' has no Keras 3"),
        ({"config": {"function": "math.cumsum"}}, "TensorFlow function 'math.cumsum' has no Keras 3"),
        ({"inbound_nodes": [[["dense", 0, 0, {"y": 3.0, "name": None, "alpha": 2}]]]}, "arguments nnspec does not"),
        ({"inbound_nodes": [[["dense", 0, 0, {"name": None}]]]}, "its argument 'y' is missing"),
        (
            {"config": {"function": "compat.v1.transpose"}, "inbound_nodes": [[["dense", 0, 0, {"conjugate": True}]]]},
            "arguments nnspec does not read: conjugate",
        ),
        ({"inbound_nodes": [[["dense", 0, 0, {}], ["dense", 0, 0, {}]]]}, "a call on several tensors"),
    ],
)
def test_what_is_not_read_is_refused_once_at_the_function(change: dict[str, object], reason: str) -> None:
    with pytest.raises(SpecError) as caught:
        loads(_with_first_tfop(change))
    (problem,) = caught.value.problems
    assert problem.path.endswith(".config.function") and reason in problem.message
