"""Every way a PyTorch conversion can go wrong ends in one clear line: misuse of the
command (exit 2), a file or class that cannot be used, weights that do not fit (exit 1,
nothing written), and each call or setting the importer does not translate, named."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import nnspec
from conftest import FIXTURES
from nnspec.compiler.cli import app

pytestmark = [pytest.mark.torch]

MODULES = FIXTURES / "torch_modules"
runner = CliRunner()


def convert(tmp_path: Path, *arguments: str) -> Any:
    return runner.invoke(app, ["convert", *arguments, "-o", str(tmp_path / "out")])


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--input-shape", "1,x", "--to", "keras"], "expected integers separated by commas"),
        (["--input-shape", "1,0", "--to", "keras"], "every dimension must be at least 1"),
        (["--to", "keras"], "give the input's shape: --input-shape"),
        (["--input-shape", "1,4", "--input-dtype", "complex64", "--to", "keras"], "--input-dtype 'complex64'"),
        (["--input-shape", "1,4", "--to", "torch"], "a PyTorch module converts --to keras"),
    ],
)
def test_misuse_of_the_module_command_is_exit_2(arguments: list[str], message: str, tmp_path: Path) -> None:
    result = convert(tmp_path, f"{MODULES / 'bad.py'}:Small", *arguments)
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_a_program_converts_to_keras_only(tmp_path: Path) -> None:
    program = tmp_path / "p.pt2"
    program.write_bytes(b"")
    result = convert(tmp_path, str(program), "--to", "torch")
    assert result.exit_code == 2 and "a torch.export program converts --to keras" in result.output


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("missing.py:Small", "missing.py: no such file"),
        ("bad.py:Absent", "has no 'Absent'"),
        ("bad.py:NeedsArguments", "NeedsArguments() failed (TypeError"),
        ("broken.py:Anything", "importing it failed: RuntimeError: this module cannot be imported"),
    ],
)
def test_a_file_or_class_that_cannot_be_used_is_exit_1(source: str, message: str, tmp_path: Path) -> None:
    result = convert(tmp_path, f"{MODULES / source}", "--input-shape", "1,4", "--to", "keras")
    assert result.exit_code == 1, result.output
    assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_weights_that_do_not_fit_the_module_are_exit_1(tmp_path: Path) -> None:
    import torch

    torch.save({"fc.weight": torch.zeros(3, 4)}, tmp_path / "w.pt")
    result = convert(
        tmp_path,
        f"{MODULES / 'bad.py'}:Small",
        "--weights",
        str(tmp_path / "w.pt"),
        "--input-shape",
        "1,4",
        "--to",
        "keras",
    )
    assert result.exit_code == 1, result.output
    assert "w.pt: does not fit Small" in result.output
    assert not (tmp_path / "out").exists()


def wrapped(function: Callable[..., Any], **layers: Any) -> Any:
    """A module computing `function(module, x)`, holding the layers it needs."""
    from torch import nn

    class Wrapped(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            for name, layer in layers.items():
                setattr(self, name, layer)

        def forward(self, x: Any) -> Any:
            return function(self, x)

    return Wrapped()


def _cases() -> dict[str, tuple[Callable[[], Any], tuple[int, ...]]]:
    import torch
    import torch.nn.functional as F
    from torch import nn

    return {
        "a layout that moves the batch axis": (lambda: wrapped(lambda m, x: x.transpose(0, 1).flatten(1)), (2, 3, 4)),
        "indexing the batch axis": (lambda: wrapped(lambda m, x: x[0]), (2, 4)),
        "that is not a flatten: Keras needs the batch axis kept": (lambda: wrapped(lambda m, x: x.view(-1)), (2, 4)),
        "a mean over dims [1]": (lambda: wrapped(lambda m, x: x.mean(1)), (2, 3, 4, 4)),
        "add of a tensor and a number": (lambda: wrapped(lambda m, x: x + 1), (2, 4)),
        "Keras repeats by whole factors": (
            lambda: wrapped(lambda m, x: F.interpolate(x, scale_factor=1.5)),
            (2, 3, 4, 4),
        ),
        "mode='bicubic' has no Keras UpSampling": (
            lambda: wrapped(lambda m, x: F.interpolate(x, scale_factor=2, mode="bicubic")),
            (2, 3, 4, 4),
        ),
        "ceil_mode=True": (
            lambda: wrapped(lambda m, x: m.pool(x), pool=nn.MaxPool2d(3, 2, ceil_mode=True)),
            (2, 3, 8, 8),
        ),
        "reads the parameter or buffer 'scale' directly": (
            lambda: wrapped(lambda m, x: x * m.scale, scale=nn.Parameter(torch.ones(4))),
            (2, 4),
        ),
        "a key_padding_mask or attn_mask given to nn.MultiheadAttention": (
            lambda: wrapped(
                lambda m, x: m.mha(x, x, x, key_padding_mask=x[:, :, 0])[0],
                mha=nn.MultiheadAttention(4, 2, batch_first=True),
            ),
            (2, 3, 4),
        ),
    }


@pytest.mark.parametrize("refusal", sorted(_cases()))
def test_what_the_importer_does_not_translate_is_named(refusal: str) -> None:
    import torch

    make, shape = _cases()[refusal]
    with pytest.raises(nnspec.Untranslatable, match=re.escape(refusal)) as caught:
        nnspec.from_torch(make(), torch.randn(shape))
    assert str(caught.value).startswith("Wrapped: ")  # the module, then the call


@pytest.mark.keras
def test_keras_refusing_to_build_a_model_is_one_line(tmp_path: Path) -> None:
    from nnspec.compiler.targets.keras_model import KerasCannotBuild, KerasSource, build_keras

    source = KerasSource("def build_model():\n    raise ValueError('no such shape\\nmore detail')\n", "build_model")
    with pytest.raises(KerasCannotBuild, match=r"^Keras cannot build this model: no such shape$"):
        build_keras(nnspec.load(FIXTURES.parent.parent / "examples" / "iris.yaml"), source)
