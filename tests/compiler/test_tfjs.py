"""TensorFlow.js layers-models (model.json + shards), written by tensorflowjs 4.22.0's own
converter from tf.keras 2.21 models (tests/fixtures/tfjs/make_fixtures.py): validated as
dialect tfjs, converted to torch with their weights (quantized ones dequantized), and
refused clearly where they cannot be read. That `convert --no-check` reads them without
Keras or TensorFlow is tested with the other Keras files in test_keras_weights_h5."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import nnspec
from conftest import FIXTURES
from nnspec.compiler.cli import app

runner = CliRunner()
TFJS = FIXTURES / "tfjs"
MODELS = ["mlp_float32", "mlp_uint8", "mlp_uint16", "mlp_float16", "mlp_sharded", "lstm_float32", "nested_float32"]
"""mlp_sharded: its weights in 5 shard files of 100 bytes, a weight split across two;
nested_float32: a Sequential block in a Functional model (its weights named by the inner layer)."""


def _run(*args: object) -> object:
    return runner.invoke(app, [str(a) for a in args])


def _copy(tmp_path: Path, name: str = "mlp_float32") -> Path:
    folder = tmp_path / name
    shutil.copytree(TFJS / name, folder)
    return folder / "model.json"


@pytest.mark.parametrize("name", MODELS)
def test_validate_reads_it_as_tfjs_with_the_writers_parameter_count(name: str) -> None:
    result = _run("validate", "--json", TFJS / name / "model.json")
    assert result.exit_code == 0, result.output
    (report,) = json.loads(result.output)
    assert report["dialect"] == "tfjs"
    assert report["params"] == int(np.load(TFJS / name / "expected.npz")["params"])


@pytest.mark.torch
@pytest.mark.parametrize("name", MODELS)
def test_convert_gives_a_torch_module_computing_what_keras_computed(tmp_path: Path, name: str) -> None:
    """Quantized fixtures' outputs were computed with the weights dequantized by tensorflowjs."""
    import torch

    result = _run("convert", TFJS / name / "model.json", "--to", "torch", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    (spec,) = tmp_path.glob("*.yaml")
    expected = np.load(TFJS / name / "expected.npz")
    net = nnspec.compile_torch(spec).eval()
    net.load_state_dict(torch.load(spec.with_suffix(".pt"), weights_only=True))
    with torch.no_grad():
        got = net(torch.from_numpy(expected["x"])).numpy()
    assert np.max(np.abs(got - expected["y"])) <= 1e-5


def test_an_older_topology_without_model_config_reads_the_same(tmp_path: Path) -> None:
    """Older converters wrote the model config itself as modelTopology."""
    model = _copy(tmp_path)
    doc = json.loads(model.read_text())
    topology = doc["modelTopology"]
    doc["modelTopology"] = {**topology["model_config"], "keras_version": topology["keras_version"]}
    model.write_text(json.dumps(doc))
    old, new = nnspec.load(model), nnspec.load(TFJS / "mlp_float32" / "model.json")
    assert old.dialect == new.dialect == "tfjs"
    assert old.spec == new.spec


def test_a_problem_in_the_architecture_is_located_in_the_model_json(tmp_path: Path) -> None:
    model = _copy(tmp_path)
    doc = json.loads(model.read_text())
    doc["modelTopology"]["model_config"]["config"]["layers"][1]["config"]["units"] = -3
    model.write_text(json.dumps(doc))
    result = _run("validate", model)
    assert result.exit_code == 1
    assert "modelTopology.model_config.config.layers[1].config.units: invalid value" in result.output


def test_a_graph_model_is_refused_saying_it_has_no_keras_layers(tmp_path: Path) -> None:
    model = tmp_path / "model.json"
    model.write_text(
        json.dumps({"format": "graph-model", "modelTopology": {"node": [], "versions": {}}, "weightsManifest": []})
    )
    for command in (("validate",), ("convert", "--to", "torch", "-o", tmp_path / "out")):
        result = _run(*command, model)
        assert result.exit_code == 1, result.output
        assert "graph model (converted from a SavedModel" in result.output
        assert "has no Keras layers" in result.output
        assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_a_missing_shard_is_named(tmp_path: Path) -> None:
    model = _copy(tmp_path)
    (model.parent / "group1-shard1of1.bin").unlink()
    result = _run("convert", model, "--to", "torch", "--no-check", "-o", tmp_path / "out")
    assert result.exit_code == 1, result.output
    assert f"{model.parent / 'group1-shard1of1.bin'}: no such file" in result.output
    assert not (tmp_path / "out").exists()


def test_a_short_shard_is_refused_with_the_sizes(tmp_path: Path) -> None:
    model = _copy(tmp_path)
    shard = model.parent / "group1-shard1of1.bin"
    shard.write_bytes(shard.read_bytes()[:-4])
    result = _run("convert", model, "--to", "torch", "--no-check", "-o", tmp_path / "out")
    assert result.exit_code == 1, result.output
    assert "424 bytes, the manifest's weights need 428; a shard is short" in result.output


def test_a_shard_path_outside_the_folder_is_refused(tmp_path: Path) -> None:
    model = _copy(tmp_path)
    doc = json.loads(model.read_text())
    doc["weightsManifest"][0]["paths"] = ["../group1-shard1of1.bin"]
    model.write_text(json.dumps(doc))
    result = _run("convert", model, "--to", "torch", "--no-check", "-o", tmp_path / "out")
    assert result.exit_code == 1 and "is not a file beside model.json; refused" in result.output


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda ws: ws.pop(0), "layer 'hidden': its kernel ((5, 8)) is not in the file, which holds hidden/bias"),
        (lambda ws: ws[0].update(shape=[8, 5]), "layer 'hidden': kernel has shape (8, 5) in the file"),
        (lambda ws: ws.append({"name": "extra/kernel", "shape": [0], "dtype": "float32"}), "extra/kernel"),
    ],
)
def test_missing_extra_or_misshapen_weights_name_the_layer(tmp_path: Path, edit: object, message: str) -> None:
    model = _copy(tmp_path)
    doc = json.loads(model.read_text())
    edit(doc["weightsManifest"][0]["weights"])  # type: ignore[operator]
    model.write_text(json.dumps(doc))
    result = _run("convert", model, "--to", "torch", "--no-check", "-o", tmp_path / "out")
    assert result.exit_code == 1, result.output
    assert message in " ".join(result.output.split())


def test_weights_are_matched_by_name_not_position(tmp_path: Path) -> None:
    """The manifest's order is the shards' byte order; a reordered manifest (bytes moved
    with it) reads the same arrays."""
    from nnspec.compiler.weights.tfjs import read_tfjs_weights

    model = _copy(tmp_path)
    loaded = nnspec.load(model)
    before = read_tfjs_weights(model, loaded.graph)
    doc = json.loads(model.read_text())
    entries = doc["weightsManifest"][0]["weights"]
    data = (model.parent / "group1-shard1of1.bin").read_bytes()
    chunks, offset = [], 0
    for entry in entries:
        size = 4 * int(np.prod(entry["shape"]))
        chunks.append(data[offset : offset + size])
        offset += size
    doc["weightsManifest"][0]["weights"] = entries[::-1]
    (model.parent / "group1-shard1of1.bin").write_bytes(b"".join(chunks[::-1]))
    model.write_text(json.dumps(doc))
    after = read_tfjs_weights(model, loaded.graph)
    assert before.keys() == after.keys()
    assert all(np.array_equal(before[k], after[k]) for k in before)


def test_a_plain_keras_json_given_to_convert_says_it_holds_no_weights(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["convert", str(FIXTURES / "keras3" / "iris.json"), "--to", "torch", "-o", str(tmp_path / "out")]
    )
    assert result.exit_code == 1
    assert "holds an architecture and no weights" in result.output and "nnspec generate" in result.output
    assert not (tmp_path / "out").exists()
