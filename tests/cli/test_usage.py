"""The command line as a new user meets it: --help reads plainly, and a path that does
not exist is a usage error (exit 2) like any other bad argument."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLES
from nnspec.compiler.cli import app

runner = CliRunner()
COMMANDS = [
    "validate",
    "summary",
    "schema",
    "normalize",
    "generate",
    "convert",
    "check",
    "train",
    "evaluate",
    "predict",
    "plot",
]


@pytest.mark.parametrize("command", [*COMMANDS, None])
def test_help_shows_no_placeholder_types_or_braces(command: str | None) -> None:
    result = runner.invoke(app, [command, "--help"] if command else ["--help"])
    assert result.exit_code == 0, result.output
    assert "<bool>" not in result.output and "{" not in result.output, result.output


def test_usage_names_the_arguments_plainly() -> None:
    result = runner.invoke(app, ["convert", "--help"])
    assert "Usage: nnspec convert [OPTIONS] SOURCE" in result.output
    assert "Usage: nnspec validate [OPTIONS] FILES..." in runner.invoke(app, ["validate", "--help"]).output


def test_convert_to_says_what_each_choice_does_and_takes_no_both(tmp_path: Path) -> None:
    text = " ".join(runner.invoke(app, ["convert", "--help"]).output.replace("│", " ").split())
    assert "torch: a Keras file to a spec" in text and "keras: torch weights (with --spec)" in text
    assert "both" not in text
    (tmp_path / "w.pt").write_bytes(b"")
    assert runner.invoke(app, ["convert", str(tmp_path / "w.pt"), "--to", "both", "-o", str(tmp_path)]).exit_code == 2


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "{missing}"],
        ["validate", str(EXAMPLES / "iris.yaml"), "{missing}"],
        ["summary", "{missing}"],
        ["normalize", "{missing}"],
        ["generate", "{missing}", "-o", "{out}"],
        ["convert", "{missing}", "--to", "torch", "-o", "{out}"],
        ["convert", str(EXAMPLES / "iris.yaml"), "--spec", "{missing}", "--to", "keras", "-o", "{out}"],
        ["check", "{missing}"],
        ["check", str(EXAMPLES / "iris.yaml"), "--weights", "{missing}"],
        ["train", "{missing}", "-o", "{out}"],
        ["evaluate", "{missing}"],
        ["predict", "{missing}"],
    ],
    ids=lambda args: "-".join(a for a in args if a.startswith("-") or a.isalpha()),
)
def test_a_path_that_does_not_exist_is_a_usage_error(tmp_path: Path, args: list[str]) -> None:
    filled = [a.format(missing=tmp_path / "nope.yaml", out=tmp_path / "out") for a in args]
    result = runner.invoke(app, filled)
    assert result.exit_code == 2, result.output
    assert "does not exist" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
