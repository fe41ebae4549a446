"""Generated files stand on their own: written to disk and run as scripts they build
the model and print its summary; they are clean under ruff (check and format)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLES, FIXTURE_FILES, VALID_EXAMPLES
from nnspec import load
from nnspec.compiler.targets.keras_model import keras_source
from nnspec.compiler.targets.torch_module import torch_source

RUN = {  # example -> the output shapes line of the torch file (unknown sizes are 2)
    "iris": "output shapes: (2, 3)",
    "iris_functional": "output shapes: (2, 3)",
    "mnist_bn": "output shapes: (2, 10)",
    "activations": "output shapes: (2, 3)",
}
RUFF = shutil.which("ruff")  # a dev dependency: without it these tests fail, never skip
RUFF_RULES = ["--select", "E,F,W,I,UP,B,SIM,RUF", "--ignore", "RUF001,RUF002,RUF003"]


def _env() -> dict[str, str]:
    return {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "TF_ENABLE_ONEDNN_OPTS": "0", "PYTHONHASHSEED": "0"}


def _run(path: Path) -> subprocess.CompletedProcess[str]:
    # run from the file's folder, away from the checkout: the file needs nothing of nnspec
    return subprocess.run(
        [sys.executable, path.name], cwd=path.parent, env=_env(), capture_output=True, text=True, timeout=300
    )


@pytest.mark.torch
@pytest.mark.parametrize("stem", sorted(RUN))
def test_torch_file_runs_on_its_own(tmp_path: Path, stem: str) -> None:
    path = tmp_path / f"{stem}_torch.py"
    source = torch_source(EXAMPLES / f"{stem}.yaml")
    path.write_text(source.text, encoding="utf-8")
    result = _run(path)
    assert result.returncode == 0, result.stderr
    params, buffers = source.program.top.torch_values()
    assert f"parameters: {params:,}   buffers: {buffers:,}" in result.stdout
    assert RUN[stem] in result.stdout
    assert "nnspec" not in result.stderr


KERAS_RUN = sorted(RUN)


@pytest.mark.keras
@pytest.mark.parametrize("stem", KERAS_RUN)
def test_keras_file_runs_on_its_own(tmp_path: Path, stem: str) -> None:
    path = tmp_path / f"{stem}_keras.py"
    path.write_text(keras_source(EXAMPLES / f"{stem}.yaml").text, encoding="utf-8")
    result = _run(path)
    assert result.returncode == 0, result.stderr
    counts = load(EXAMPLES / f"{stem}.yaml").graph.params
    assert f"Total params: {counts.total:,}" in result.stdout
    assert f"Trainable params: {counts.trainable:,}" in result.stdout
    assert stem in result.stdout  # the model's name heads the summary


def _write_all(folder: Path, paths: list[Path]) -> list[Path]:
    written = []
    for path in paths:
        stem = f"{path.parent.name}_{path.stem}"
        for target, source in (("torch", torch_source), ("keras", keras_source)):
            out = folder / f"{stem}_{target}.py"
            out.write_text(source(path).text, encoding="utf-8")
            written.append(out)
    return written


def _ruff(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    assert RUFF is not None, "ruff is not installed (pip install -e '.[dev]')"
    return subprocess.run([RUFF, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


RUFF_CLEAN = [*VALID_EXAMPLES, *FIXTURE_FILES]


def test_generated_files_pass_ruff_check(tmp_path: Path) -> None:
    files = _write_all(tmp_path, RUFF_CLEAN)
    names = [f.name for f in files]
    plain = _ruff("check", "--no-cache", "--isolated", "--line-length", "120", *names, cwd=tmp_path)
    assert plain.returncode == 0, plain.stdout
    strict = _ruff("check", "--no-cache", "--isolated", "--line-length", "120", *RUFF_RULES, *names, cwd=tmp_path)
    assert strict.returncode == 0, strict.stdout


def test_generated_files_are_ruff_formatted(tmp_path: Path) -> None:
    files = _write_all(tmp_path, RUFF_CLEAN)
    result = _ruff(
        "format", "--no-cache", "--isolated", "--line-length", "120", "--diff", *[f.name for f in files], cwd=tmp_path
    )
    assert result.returncode == 0, result.stdout


def test_long_sequential_layer_calls_are_wrapped(tmp_path: Path) -> None:
    spec = {
        "class_name": "Sequential",
        "config": {
            "name": "wide_options",
            "layers": [
                {"class_name": "InputLayer", "config": {"name": "x", "batch_shape": [None, 4]}},
                {
                    "class_name": "Dense",
                    "config": {
                        "name": "dense",
                        "units": 3,
                        "activation": "relu",
                        "kernel_initializer": {"class_name": "VarianceScaling", "config": {"mode": "fan_avg"}},
                        "kernel_regularizer": {"class_name": "L1L2", "config": {"l1": 0.01, "l2": 0.01}},
                    },
                },
            ],
        },
    }
    path = tmp_path / "wide_keras.py"
    path.write_text(keras_source(spec).text, encoding="utf-8")
    result = _ruff("check", "--no-cache", "--isolated", "--line-length", "120", *RUFF_RULES, path.name, cwd=tmp_path)
    assert result.returncode == 0, result.stdout
