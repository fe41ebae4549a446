"""Corpora of real tf.keras 2 models: tests/fixtures/keras2_h5 (dense networks, written by
tests/fixtures/make_keras2_h5.py with tf-keras 2.21 and TensorFlow 2.12's tf.keras) and
tests/fixtures/keras2_conv_h5 (convolution, pooling, reshaping and preprocessing layers, by
tests/fixtures/make_conv_fixtures.py with tf-keras 2.21) and tests/fixtures/keras2_seq_h5
(Embedding, recurrent, Bidirectional and TimeDistributed layers, by
tests/fixtures/make_seq_fixtures.py with tf-keras 2.21). For each, its `to_json()` and its
`.h5`'s architecture load with the counts and shapes tf.keras reported, the JSON passes
`nnspec check`, and `nnspec convert` turns the `.h5` into a torch module whose outputs are
the ones tf.keras computed (fed in Keras's layout, through `layout="keras"`)."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import nnspec
from conftest import FIXTURES
from nnspec.compiler.cli import app
from nnspec.compiler.convert import CompileConfigDropped, keras_file_spec
from nnspec.spec.summary import summarize

pytestmark = [pytest.mark.keras, pytest.mark.torch]

CORPORA = ("keras2_h5", "keras2_conv_h5", "keras2_seq_h5")
NAMES = sorted(
    f"{corpus}/{p.stem}"
    for corpus in CORPORA
    for p in (FIXTURES / corpus).glob("*.json")
    if not p.name.endswith(".expected.json")
)
CORPUS = FIXTURES

JSON_ONLY = {"keras2_conv_h5/k2_channels_first"}
"""TensorFlow's CPU kernels refuse channels_first convolutions and pooling: tf.keras could
write the architecture but not compute outputs or save weights it had run."""

KERAS3_CANNOT_RUN = {"keras2_conv_h5/k2_conv_transpose": "Keras cannot compute layer 'conv2d_transpose_3'"}
"""tf.keras computed a dilated transposed convolution on the CPU (atrous_conv2d_transpose);
Keras 3's TensorFlow backend cannot ("Current CPU implementations do not yet support
dilation rates larger than 1"). nnspec converts it with --no-check, and the torch module
reproduces tf.keras's outputs; with the check, it stops saying why and writes nothing."""

REFUSED = {
    "keras2_conv_h5/k2_separable_causal": "Keras 3 has no 'causal' padding for depthwise and separable",
    "keras2_seq_h5/k2_stateful_lstm": "stateful RNNs",
    "keras2_seq_h5/k2_bidirectional_backward_units": "Keras 3 shapes the output from the forward layer alone",
}
"""What tf.keras 2 could build and Keras 3 cannot (a Bidirectional whose backward layer has
other units: Keras 3 sizes the layers after it from the forward layer alone), or nnspec does
not model (a stateful RNN): refused at the field or kind, with the reason."""

SHARED_TWICE = {"deep_nesting"}
"""Builders whose file holds one model object in two places (tf.keras's shared_object_id).
A spec cannot say two entries share weights, so nnspec counts both, as Keras 3 does for
the same architecture; see test_a_model_object_saved_twice_counts_as_keras_3_counts_it."""

runner = CliRunner()


def cases(test: str) -> list[str]:
    """Every corpus name; k2_<builder> (tf-keras 2.21) and tf212_<builder> (TensorFlow 2.12)."""
    usable = [name for name in NAMES if name not in REFUSED]
    if test == "counts":
        return [name for name in usable if _builder(name) not in SHARED_TWICE]
    if test == "h5":
        return [name for name in usable if name not in JSON_ONLY]
    if test == "check":
        return [name for name in usable if name not in KERAS3_CANNOT_RUN and name not in JSON_ONLY]
    return usable


def _builder(name: str) -> str:
    return name.split("/")[-1].split("_", 1)[1]


def outputs_of(name: str):
    return np.load(CORPUS / f"{name}.expected.npz")


def assert_as_tf_keras_reported(loaded: nnspec.LoadedSpec, name: str) -> None:
    """Parameter counts, and each layer's output shape and count, as in <name>.expected.json."""
    expected = json.loads((CORPUS / f"{name}.expected.json").read_text())
    summary = summarize(loaded.graph)
    counts = (summary.total_params, summary.trainable_params, summary.non_trainable_params)
    assert counts == (expected["total_params"], expected["trainable_params"], expected["non_trainable_params"])
    rows = {row.name: row for row in summary.rows}
    assert [layer["name"] for layer in expected["layers"]] == list(rows)
    for layer in expected["layers"]:
        row = rows[layer["name"]]
        assert (row.class_name, row.params) == (layer["class_name"], layer["params"]), layer["name"]
        shape = json.loads(
            re.sub(r",\s*\)", ")", row.output_shape).replace("(", "[").replace(")", "]").replace("None", "null")
        )
        assert layer["output_shape"] in (shape, [shape]), layer["name"]


def test_the_corpus_is_complete() -> None:
    assert len(NAMES) >= 45
    for name in NAMES:
        suffixes = (".expected.json",) if name in JSON_ONLY else (".h5", ".expected.json", ".expected.npz")
        for suffix in suffixes:
            assert (CORPUS / f"{name}{suffix}").is_file(), name + suffix


@pytest.mark.parametrize("name", cases("counts"))
def test_json_and_h5_architecture_load_as_tf_keras_reported(name: str) -> None:
    from_json = nnspec.load(CORPUS / f"{name}.json")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CompileConfigDropped)  # an Ftrl optimizer, a legacy `decay`: not layers
        from_h5 = None if name in JSON_ONLY else keras_file_spec(CORPUS / f"{name}.h5")
    for loaded in (from_json, from_h5) if name not in JSON_ONLY else (from_json,):
        assert loaded.dialect == "keras2"
        assert_as_tf_keras_reported(loaded, name)


@pytest.mark.parametrize("name", cases("h5"))
def test_h5_converts_to_torch_with_tf_keras_outputs(tmp_path: Path, name: str) -> None:
    import torch

    check = ["--no-check"] if name in KERAS3_CANNOT_RUN else []
    result = runner.invoke(app, ["convert", str(CORPUS / f"{name}.h5"), "--to", "torch", "-o", str(tmp_path), *check])
    assert result.exit_code == 0, result.output
    (spec_file,) = tmp_path.glob("*.yaml")
    loaded = nnspec.load(spec_file)
    expected = outputs_of(name)
    net = nnspec.compile_torch(loaded, layout="keras").eval()
    net.load_state_dict(torch.load(spec_file.with_suffix(".pt"), weights_only=True))

    feed = {str(key): expected[f"x{i}"] for i, key in enumerate(expected["input_names"])} if "x0" in expected else {}
    order = loaded.spec.config.input_layers if loaded.spec.class_name == "Functional" else None
    if isinstance(order, dict):  # the forward takes them in the dict's order
        inputs = [feed[key] for key in order]
    elif feed:  # a list of inputs, in model.inputs order
        inputs = list(feed.values())
    else:
        inputs = [expected["x"]]
    with torch.no_grad():
        out = net(*(torch.from_numpy(x) for x in inputs))
    if isinstance(out, dict):  # tf.keras flattened a dict of outputs in key order
        got = [out[key] for key in sorted(out)]
        assert sorted(out) == [str(key) for key in expected["output_names"]]
    else:
        got = list(out) if isinstance(out, tuple | list) else [out]
    want = [expected["y"]] if "y" in expected else [expected[f"y{i}"] for i in range(len(got))]
    assert len(got) == len(want)
    for mine, theirs in zip(got, want, strict=True):
        np.testing.assert_allclose(mine.numpy(), theirs, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", cases("check"))
def test_check_passes(name: str) -> None:
    result = runner.invoke(app, ["check", str(CORPUS / f"{name}.json")])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("name", [n for n in NAMES if _builder(n) in SHARED_TWICE])
def test_a_model_object_saved_twice_counts_as_keras_3_counts_it(name: str) -> None:
    """tf.keras counted the shared model's 12 weights once (24); the spec holds two entries
    and counts 36, and so does Keras 3 building the same architecture. The outputs still
    match tf.keras (the .h5 gives both copies the same weights): test_h5_converts_to_torch..."""
    loaded = nnspec.load(CORPUS / f"{name}.json")
    assert json.loads((CORPUS / f"{name}.expected.json").read_text())["total_params"] == 24
    assert loaded.graph.params.total == 36
    assert nnspec.compile_keras(loaded).count_params() == 36


@pytest.mark.parametrize("name", sorted(KERAS3_CANNOT_RUN))
def test_a_model_keras_3_cannot_run_stops_the_checked_conversion(tmp_path: Path, name: str) -> None:
    result = runner.invoke(app, ["convert", str(CORPUS / f"{name}.h5"), "--to", "torch", "-o", str(tmp_path)])
    assert result.exit_code == 1
    assert KERAS3_CANNOT_RUN[name] in result.output
    assert "Current CPU implementations do not yet support dilation rates larger than 1" in result.output
    assert "--no-check" in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_what_keras_3_lacks_is_refused_with_the_reason(name: str) -> None:
    with pytest.raises(nnspec.SpecError) as caught:
        nnspec.load(CORPUS / f"{name}.json")
    assert REFUSED[name] in str(caught.value)


@pytest.mark.parametrize("name", sorted(JSON_ONLY))
def test_channels_first_model_against_its_channels_last_twin(name: str) -> None:
    """TensorFlow's CPU kernels cannot run the channels_first model, so `nnspec check`
    stops saying so; the torch module agrees with Keras's channels_last twin of it."""
    from parity_helpers import assert_channels_first_parity

    from nnspec.spec.write import to_canonical

    result = runner.invoke(app, ["check", str(CORPUS / f"{name}.json")])
    assert result.exit_code == 1
    assert "Keras cannot compute layer" in result.output and "NHWC" in result.output
    assert_channels_first_parity(to_canonical(nnspec.load(CORPUS / f"{name}.json").spec))
