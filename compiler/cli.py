"""The `nnspec` command line. Exit codes: 0 ok, 1 invalid spec or failed check, 2 misuse.

validate, summary, schema and normalize never import tensorflow, keras or torch."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from nnspec.spec import DEFAULT_MAX_PARAMS, LoadedSpec, SpecError, load

app = typer.Typer(
    name="nnspec",
    help="One Keras-shaped model spec, validated without frameworks, compiled to Keras 3 and PyTorch.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

MaxParams = Annotated[int, typer.Option("--max-params", min=1, help="Refuse specs with more parameters than this.")]


class Format(StrEnum):
    yaml = "yaml"
    json = "json"
    keras_json = "keras-json"


def _fail(error: SpecError) -> None:
    typer.echo(str(error), err=True)
    raise typer.Exit(1)


def _load(path: Path, max_params: int) -> LoadedSpec:
    try:
        return load(path, max_params=max_params)
    except SpecError as error:
        _fail(error)
        raise  # unreachable: _fail exits


def write_atomically(path: Path, text: str) -> None:
    """Write all of `text` or nothing: a temporary file renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Spec files (JSON or YAML, any Keras dialect).")],
    max_params: MaxParams = DEFAULT_MAX_PARAMS,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON report.")] = False,
) -> None:
    """Check specs: structure, names, graph, shapes and parameter counts."""
    report = []
    failed = False
    for file in files:
        try:
            loaded = load(file, max_params=max_params)
        except SpecError as error:
            failed = True
            report.append({"file": str(file), "valid": False, "problems": [p.as_dict() for p in error.problems]})
            if not as_json:
                typer.echo(str(error), err=True)
            continue
        graph = loaded.graph
        report.append({"file": str(file), "valid": True, "dialect": loaded.dialect, "params": graph.params.total})
        if not as_json:
            layers = sum(1 for info in graph.layers if info.kind != "InputLayer")
            typer.echo(
                f"ok  {file}: {graph.kind} {graph.name!r}, {layers} layers, "
                f"{graph.params.total:,} parameters ({loaded.dialect})"
            )
    if as_json:
        typer.echo(json.dumps(report, indent=2))
    raise typer.Exit(1 if failed else 0)


@app.command()
def summary(
    file: Annotated[Path, typer.Argument(help="A spec file.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the numbers as JSON.")] = False,
    max_params: MaxParams = DEFAULT_MAX_PARAMS,
) -> None:
    """Print the table of Keras's model.summary(), with no framework loaded."""
    from nnspec.spec.summary import summarize

    result = summarize(_load(file, max_params).graph)
    if as_json:
        typer.echo(json.dumps(result.as_dict(), indent=2))
        return
    from .summary_table import print_summary

    print_summary(result)


@app.command()
def schema(
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to this file.")] = None,
) -> None:
    """Print the JSON Schema of the spec language (for editor completion)."""
    from nnspec.spec.schema import schema_text

    text = schema_text()
    if output is None:
        typer.echo(text, nl=False)
    else:
        write_atomically(output, text)


@app.command()
def normalize(
    file: Annotated[Path, typer.Argument(help="A spec in any dialect.")],
    to: Annotated[
        Format, typer.Option("--to", help="yaml, json, or keras-json (Keras 3's to_json format).")
    ] = Format.yaml,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to this file.")] = None,
    max_params: MaxParams = DEFAULT_MAX_PARAMS,
) -> None:
    """Rewrite a spec in canonical YAML or JSON, or as Keras 3 JSON."""
    from nnspec.spec import write

    loaded = _load(file, max_params)
    try:
        if to is Format.keras_json:
            text = write.dump_json(write.to_keras_json(loaded.spec, loaded.graph))
        elif to is Format.json:
            text = write.dump_json(write.to_canonical(loaded.spec))
        else:
            text = write.dump_yaml(write.to_canonical(loaded.spec))
    except SpecError as error:
        _fail(error)
    if output is None:
        typer.echo(text, nl=False)
    else:
        write_atomically(output, text)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
