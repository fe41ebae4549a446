"""Keras model files built to hurt: each class is refused with the member or attribute it
lies in, exit 1, no traceback, bounded memory, and nothing written."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLES, FIXTURES
from nnspec.compiler.cli import app
from nnspec.compiler.weights import keras_archive

runner = CliRunner()
ARCHIVE = FIXTURES / "keras3_ops" / "k3_arithmetic.keras"


def _keras(path: Path, replace: dict[str, bytes | Callable[[zipfile.ZipFile], None]]) -> Path:
    """A copy of a real .keras file with some members replaced (bytes, or a writer)."""
    with zipfile.ZipFile(ARCHIVE) as source:
        members = {name: source.read(name) for name in source.namelist()}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            new = replace.get(name, data)
            if callable(new):
                new(archive)
            else:
                archive.writestr(name, new)
    return path


def _inflating(member: str, head: bytes, filler: bytes, megabytes: int) -> Callable[[zipfile.ZipFile], None]:
    """A member written by streaming: megabytes of `filler` that deflate to next to nothing."""

    def write(archive: zipfile.ZipFile) -> None:
        info = zipfile.ZipInfo(member)
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as sink:
            sink.write(head)
            for _ in range(megabytes):
                sink.write(filler * (1 << 20))

    return write


def _config() -> bytes:
    with zipfile.ZipFile(ARCHIVE) as source:
        return source.read("config.json")


KERAS_FILES = {
    "nested": ({"config.json": b"[" * 100_000 + b"]" * 100_000}, "config.json: JSON nests too deeply"),
    "duplicate-key": (
        {"config.json": _config()[:-1] + b', "class_name": "Sequential"}'},
        "config.json: duplicate key 'class_name'",
    ),
    "inflating-config": (
        {"config.json": _inflating("config.json", _config()[:-1], b" ", 65)},
        "config.json: member is too large for an architecture spec",
    ),
    "no-config": ({"config.json": lambda archive: None}, "config.json: missing from the archive"),
}


@pytest.mark.parametrize("case", sorted(KERAS_FILES))
def test_keras_archives_that_cannot_be_read_safely_are_refused(tmp_path: Path, case: str) -> None:
    replace, message = KERAS_FILES[case]
    path = _keras(tmp_path / "m.keras", replace)
    result = runner.invoke(app, ["convert", str(path), "--to", "torch", "--no-check", "-o", str(tmp_path / "o")])
    assert result.exit_code == 1, result.output
    assert f"{path}: 1 problem in spec" in result.output and message in result.output, result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


def test_a_weights_member_that_is_a_decompression_bomb_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keras's own rule (100 times its stored size), with the floor lowered to keep the test small."""
    monkeypatch.setattr(keras_archive, "BOMB_FLOOR", 1 << 20)
    with zipfile.ZipFile(ARCHIVE) as source:
        weights = source.read("model.weights.h5")
    path = _keras(tmp_path / "m.keras", {"model.weights.h5": _inflating("model.weights.h5", weights, b"\0", 4)})
    result = runner.invoke(app, ["convert", str(path), "--to", "torch", "--no-check", "-o", str(tmp_path / "o")])
    assert result.exit_code == 1, result.output
    assert "model.weights.h5 would inflate from" in result.output and "decompression bomb" in result.output
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


H5_CONFIGS = {
    "number": (5, "model_config: is not text, received np.int64(5)"),
    "array": ([1, 2, 3], "model_config: is not text, received an array of shape (3,)"),
    "texts": ([b"{}", b"{}"], "model_config: is not text, received an array of shape (2,)"),
    "nested": ("[" * 100_000 + "]" * 100_000, "model_config: JSON nests too deeply"),
    "duplicate-key": ('{"class_name": "Sequential", "class_name": "Functional"}', "duplicate key 'class_name'"),
}


@pytest.mark.parametrize("case", sorted(H5_CONFIGS))
def test_legacy_h5_architecture_that_is_not_json_text_is_refused(tmp_path: Path, case: str) -> None:
    import h5py  # a dependency of nnspec[all], installed in CI

    value, message = H5_CONFIGS[case]
    path = tmp_path / "m.h5"
    with h5py.File(path, "w") as handle:
        handle.attrs["model_config"] = value
    result = runner.invoke(app, ["convert", str(path), "--to", "torch", "--no-check", "-o", str(tmp_path / "o")])
    assert result.exit_code == 1, result.output
    assert f"{path}: 1 problem in spec" in result.output and message in result.output, result.output
    assert "Traceback" not in result.output


KERAS_SAYS = (
    "A total of 2 objects could not be loaded. Example error message for object <Dense name=hidden_2, built=True>:"
    "\n\nThe shape of the target variable and the shape of the target value in `variable.assign(value)` must match. "
    "variable.shape=(50, 30), Received: value.shape=(50, 3). Target variable: <Variable path=iris/hidden_2/kernel, "
    "shape=(50, 30), dtype=float32, value=[[ 0.17 0.12 ...]]>\n\nList of objects that could not be loaded:\n[...]"
)


def test_a_keras_load_error_names_the_layer_and_both_shapes() -> None:
    from nnspec.compiler.weights.keras_errors import explain_keras_load_error

    assert explain_keras_load_error(ValueError(KERAS_SAYS)) == (
        "layer 'hidden_2': kernel has shape (50, 3) in the file, the spec's model needs (50, 30) (and 1 more layer)"
    )
    other = "A total of 1 objects could not be loaded. Example error message for object <Dense name=d>:\n\nNo vars."
    assert explain_keras_load_error(ValueError(other)) == "layer 'd': No vars."


@pytest.mark.keras
def test_keras_weights_of_another_model_name_the_layer_and_both_shapes(tmp_path: Path) -> None:
    import nnspec

    nnspec.compile_keras(EXAMPLES / "iris_small.yaml").save_weights(tmp_path / "s.weights.h5")
    result = runner.invoke(app, ["check", str(EXAMPLES / "iris.yaml"), "--weights", str(tmp_path / "s.weights.h5")])
    assert result.exit_code == 1
    assert "s.weights.h5: the weights do not fit the spec's model: layer 'hidden_2': kernel has shape" in result.output
    assert "the spec's model needs (50, 30)" in result.output and "A total of" not in result.output
