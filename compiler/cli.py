"""The `nnspec` command line. Exit codes: 0 ok, 1 invalid spec or failed check, 2 misuse.

validate, summary, schema, normalize and plot never import tensorflow, keras or torch."""

from __future__ import annotations

import json
import os
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from nnspec.spec import DEFAULT_MAX_ACTIVATIONS, DEFAULT_MAX_PARAMS, LoadedSpec, SpecError, load
from nnspec.spec.errors import MAX_SHOWN

from .staging import write_atomically


class _PlainFlags:
    """No `<bool>` after a flag in --help (typer 0.29 prints one in the type column)."""

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)  # type: ignore[misc]
        for param in params:
            if getattr(param, "is_flag", False):
                param.metavar = ""
        return params


class Command(_PlainFlags, TyperCommand):
    """Usage as a reader expects it: `convert [OPTIONS] SOURCE`, not `{source}`."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                name = (param.name or "arg").upper() + ("..." if param.nargs != 1 else "")
                pieces.append(name if param.required else f"[{name}]")
        return pieces


class Group(_PlainFlags, TyperGroup):
    pass


app = typer.Typer(
    cls=Group,
    name="nnspec",
    help="One Keras-shaped model spec, validated without frameworks, compiled to Keras 3 and PyTorch.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

MaxParams = Annotated[int, typer.Option("--max-params", min=1, help="Refuse specs with more parameters than this.")]
MaxActivations = Annotated[
    int,
    typer.Option(
        "--max-activations", min=1, help="Refuse specs whose largest tensor holds more values per sample than this."
    ),
]


class Format(StrEnum):
    yaml = "yaml"
    json = "json"
    keras_json = "keras-json"


class PlotFormat(StrEnum):
    svg = "svg"
    png = "png"
    pdf = "pdf"
    dot = "dot"
    mermaid = "mermaid"


class RankDir(StrEnum):
    TB = "TB"
    LR = "LR"


def _fail(error: SpecError) -> None:
    typer.echo(str(error), err=True)
    raise typer.Exit(1)


def _load(path: Path, max_params: int, max_activations: int = DEFAULT_MAX_ACTIVATIONS) -> LoadedSpec:
    try:
        return load(path, max_params=max_params, max_activations=max_activations)
    except SpecError as error:
        _fail(error)
        raise  # unreachable: _fail exits


@app.command(cls=Command)
def validate(
    files: Annotated[
        list[Path],
        typer.Argument(
            exists=True, help="Spec files (JSON or YAML, any Keras dialect), or Keras .keras / full-model .h5 files."
        ),
    ],
    max_params: MaxParams = DEFAULT_MAX_PARAMS,
    max_activations: MaxActivations = DEFAULT_MAX_ACTIVATIONS,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON report.")] = False,
) -> None:
    """Check specs: structure, names, graph, shapes and parameter counts."""
    report = []
    failed = False
    for file in files:
        try:
            loaded = _architecture(file, max_params, max_activations)
        except SpecError as error:
            failed = True
            shown = error.problems[:MAX_SHOWN]
            entry = {"file": str(file), "valid": False, "problems": [p.as_dict() for p in shown]}
            report.append({**entry, "more": error.count - len(shown)} if error.count > len(shown) else entry)
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


def _architecture(file: Path, max_params: int, max_activations: int) -> LoadedSpec:
    """A spec file, or the architecture a Keras file holds (read as data: no framework)."""
    if file.suffix.lower() in (".keras", ".h5"):
        from .convert import keras_file_spec
        from .weights.links import WeightError

        try:
            loaded = keras_file_spec(file)
        except WeightError as exc:  # a weights-only file, or one that is no Keras file
            message = str(exc).removeprefix(f"{file}: ")
            if message.startswith("holds weights only"):
                message = "holds weights only, no architecture: validate the spec they belong to"
            raise SpecError.at(str(file), message) from None
        if loaded.graph.params.total > max_params:
            raise SpecError.at(
                str(file),
                f"the model has {loaded.graph.params.total:,} parameters",
                expected=f"at most {max_params:,} (--max-params)",
            )
        return loaded
    return load(file, max_params=max_params, max_activations=max_activations)


@app.command(cls=Command)
def summary(
    file: Annotated[Path, typer.Argument(exists=True, help="A spec file.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the numbers as JSON.")] = False,
    max_params: MaxParams = DEFAULT_MAX_PARAMS,
    max_activations: MaxActivations = DEFAULT_MAX_ACTIVATIONS,
) -> None:
    """Print the table of Keras's model.summary(), with no framework loaded."""
    from nnspec.spec.summary import summarize

    loaded = _load(file, max_params, max_activations)
    result = summarize(loaded.graph)
    counts = _torch_counts(loaded)
    if as_json:
        extra = {} if counts is None else {"torch_params": counts[0], "torch_buffers": counts[1]}
        typer.echo(json.dumps({**result.as_dict(), **extra}, indent=2))
        return
    from .tables import print_summary

    print_summary(result, counts)


def _torch_counts(loaded: LoadedSpec) -> tuple[int, int] | None:
    """(parameters, buffer values) of the generated PyTorch module, from its lowering (no
    torch import); None where a layer has no torch rule."""
    from .targets.lower import lower_torch

    try:
        return lower_torch(loaded).top.torch_values()
    except SpecError:
        return None


@app.command(cls=Command)
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


@app.command(cls=Command)
def normalize(
    file: Annotated[Path, typer.Argument(exists=True, help="A spec in any dialect.")],
    to: Annotated[
        Format, typer.Option("--to", help="yaml, json, or keras-json (Keras 3's to_json format).")
    ] = Format.yaml,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to this file.")] = None,
    max_params: MaxParams = DEFAULT_MAX_PARAMS,
    max_activations: MaxActivations = DEFAULT_MAX_ACTIVATIONS,
) -> None:
    """Rewrite a spec in canonical YAML or JSON, or as Keras 3 JSON."""
    from nnspec.spec import write

    loaded = _load(file, max_params, max_activations)
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


@app.command(cls=Command)
def plot(
    file: Annotated[Path, typer.Argument(exists=True, help="A spec file.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The file to write: .svg, .png, .pdf, .dot or .mmd.")],
    fmt: Annotated[
        PlotFormat | None,
        typer.Option("--format", help="svg, png, pdf, dot or mermaid (default: from the output's suffix)."),
    ] = None,
    rankdir: Annotated[RankDir, typer.Option("--rankdir", help="TB: top to bottom; LR: left to right.")] = RankDir.TB,
    expand_nested: Annotated[
        bool, typer.Option("--expand-nested", help="Draw each nested model's layers inside a frame, not one box.")
    ] = False,
    max_params: MaxParams = DEFAULT_MAX_PARAMS,
    max_activations: MaxActivations = DEFAULT_MAX_ACTIVATIONS,
) -> None:
    """Draw the model: a box per layer (name, kind, output shape, parameters), an arrow per connection."""
    from .plot import format_of, render
    from .plot.draw import PlotUnavailable

    try:
        chosen = format_of(output, None if fmt is None else fmt.value)
    except ValueError as error:
        _misuse(str(error))
    loaded = _load(file, max_params, max_activations)
    try:
        data = render(loaded, chosen, rankdir.value, expand_nested=expand_nested)
    except PlotUnavailable as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    write_atomically(output, data)
    typer.echo(f"wrote {output}")


class Target(StrEnum):
    torch = "torch"
    keras = "keras"
    both = "both"


class ConvertTo(StrEnum):
    torch = "torch"
    keras = "keras"


class ModuleLayout(StrEnum):
    torch = "torch"
    keras = "keras"


LayoutOption = Annotated[
    ModuleLayout,
    typer.Option(
        "--layout",
        help="The torch module's inputs and outputs: torch (N, C, H, W, as PyTorch's layers) or keras (N, H, W, C).",
    ),
]


class TorchFormat(StrEnum):
    pt = "pt"
    safetensors = "safetensors"


@app.command(cls=Command)
def generate(
    file: Annotated[Path, typer.Argument(exists=True, help="A spec file.")],
    target: Annotated[Target, typer.Option("--target", help="torch, keras or both.")] = Target.both,
    output: Annotated[Path, typer.Option("-o", "--output", help="The folder to write into.")] = Path("."),
    layout: LayoutOption = ModuleLayout.torch,
    max_params: MaxParams = DEFAULT_MAX_PARAMS,
    max_activations: MaxActivations = DEFAULT_MAX_ACTIVATIONS,
) -> None:
    """Write readable PyTorch and/or Keras source for a spec (no framework needed)."""
    from .generate import NoTrainingScript, generate_files

    loaded = _load(file, max_params, max_activations)
    with _reporting(file), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        written = generate_files(loaded, output, target.value, stem=file.name.split(".")[0], layout=layout.value)
    for warning in caught:
        if issubclass(warning.category, NoTrainingScript):
            typer.echo(f"warning: {warning.message}", err=True)
    for path in written:
        typer.echo(f"wrote {path}")


@app.command(cls=Command)
def convert(
    source: Annotated[
        str,
        typer.Argument(
            help="A Keras model (.keras, .h5), weights (.weights.h5, .pt, .safetensors), a PyTorch module "
            "as FILE.py:ClassName (imported from your file, which runs its code as importing it in Python does), "
            "or a torch.export program (.pt2, which runs no code of yours)."
        ),
    ],
    to: Annotated[
        ConvertTo,
        typer.Option(
            "--to",
            help="torch: a Keras file to a spec, PyTorch module source and weights; "
            "keras: torch weights (with --spec), or a PyTorch module, to a .keras file. One direction per run.",
        ),
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="The folder to write into.")],
    spec: Annotated[Path | None, typer.Option("--spec", exists=True, help="The spec, for weights-only files.")] = None,
    weights: Annotated[
        Path | None,
        typer.Option("--weights", exists=True, help="A state_dict for FILE.py:ClassName (.pt, .safetensors)."),
    ] = None,
    input_shape: Annotated[
        list[str] | None,
        typer.Option("--input-shape", help="FILE.py:ClassName's input shape, as 1,3,32,32; once per input."),
    ] = None,
    input_dtype: Annotated[
        list[str] | None,
        typer.Option("--input-dtype", help="float32 (default), int64 for token ids...; once or per input."),
    ] = None,
    fmt: Annotated[TorchFormat, typer.Option("--format", help="torch weights format.")] = TorchFormat.pt,
    check: Annotated[bool, typer.Option("--check/--no-check", help="Check parity of the result.")] = True,
    layout: Annotated[
        ModuleLayout | None,
        typer.Option(
            "--layout",
            help="Image tensors at the boundary: torch (N, C, H, W) or keras (N, H, W, C). Default: the "
            "target's own (a generated torch module takes torch's, a Keras model made from a module Keras's).",
        ),
    ] = None,
) -> None:
    """Convert a Keras model to PyTorch (spec, module source, weights), torch weights back to .keras,
    or a PyTorch module (FILE.py:ClassName) to a spec, Keras source and .keras."""
    from .from_torch.command import is_module_source

    if is_module_source(source):
        if to is not ConvertTo.keras:
            _misuse("a PyTorch module converts --to keras")
        boundary = (layout or ModuleLayout.keras).value
        _convert_module(source, weights, input_shape or [], input_dtype or [], output, check, boundary)
        return
    path = Path(source)
    if not path.exists():
        _misuse(f"Invalid value for 'SOURCE': Path '{source}' does not exist.")
    if path.suffix.lower() == ".pt2":
        if to is not ConvertTo.keras:
            _misuse("a torch.export program converts --to keras")
        _convert_module(str(path), None, [], [], output, check, (layout or ModuleLayout.keras).value, program=True)
        return
    _convert_file(path, to, output, spec, fmt, check, layout or ModuleLayout.torch)


def _convert_file(
    source: Path, to: ConvertTo, output: Path, spec: Path | None, fmt: TorchFormat, check: bool, layout: ModuleLayout
) -> None:
    from .convert import CompileConfigDropped, convert_to_keras, convert_to_torch
    from .weights.keras1_h5 import TheanoKernels

    loaded = _load(spec, DEFAULT_MAX_PARAMS) if spec is not None else None
    if to is ConvertTo.keras and loaded is None:
        _misuse("converting weights to Keras needs the model's spec: add --spec SPEC")
    with _reporting(spec or source), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # recorded; ours are printed below, Keras's loader notes are not
        if to is ConvertTo.torch:
            result = convert_to_torch(source, output, loaded, fmt.value, check, layout.value)
        else:
            result = convert_to_keras(source, loaded, output, check)
    for warning in caught:
        if issubclass(warning.category, CompileConfigDropped | TheanoKernels):
            typer.echo(f"warning: {warning.message}", err=True)
    for path in result.files:
        typer.echo(f"wrote {path}")
    if result.report is not None:
        report = result.report
        worst = max(report.directions.values(), default=0.0)
        verdict = "parity ok" if report.passed else "PARITY FAILED"
        typer.echo(f"{verdict}: {len(report.rows)} layer calls, max output difference {worst:.2e}")
        if not report.passed:
            raise typer.Exit(1)


def _convert_module(
    source: str,
    weights: Path | None,
    shapes: list[str],
    dtypes: list[str],
    output: Path,
    check: bool,
    layout: str,
    program: bool = False,
) -> None:
    """A PyTorch module (FILE.py:ClassName), or a torch.export program (a .pt2 file), to Keras."""
    from .from_torch.command import convert_module, convert_program, example_inputs

    if not program:
        try:
            example_inputs(shapes, dtypes)
        except ValueError as exc:
            _misuse(str(exc))
    with _reporting(source):
        if program:
            result = convert_program(Path(source), output, check, layout)
        else:
            result = convert_module(source, weights, shapes, dtypes, output, check, layout)
    for path in result.files:
        typer.echo(f"wrote {path}")
    if result.key_map:
        typer.echo("state_dict keys (yours -> the generated torch module's):")
        for mine, theirs in result.key_map.items():
            typer.echo(f"  {mine} -> {theirs}")
    agreement = result.agreement
    if agreement is not None:
        verdict = "parity ok" if agreement.ok else "PARITY FAILED (nothing written)"
        batches = " and ".join(map(str, agreement.batches))
        typer.echo(
            f"{verdict}: at batch {batches}, Keras differs from the module by {agreement.keras:.2e}, "
            f"the generated torch module by {agreement.generated:.2e}"
        )
        if not agreement.ok:
            raise typer.Exit(1)


@app.command(cls=Command)
def check(
    file: Annotated[Path, typer.Argument(exists=True, help="A spec file.")],
    weights: Annotated[
        Path | None, typer.Option("--weights", exists=True, help="Weights to check with (Keras or torch file).")
    ] = None,
    tolerance: Annotated[
        float | None,
        typer.Option("--tolerance", min=0.0, help="Largest difference (default 1e-5; with --train, by optimizer)."),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the random input and weights.")] = 0,
    training: Annotated[bool, typer.Option("--training", help="Compare in training mode (batch statistics).")] = False,
    train: Annotated[bool, typer.Option("--train", help="Compare the loss of each training step instead.")] = False,
    steps: Annotated[int, typer.Option("--steps", min=1, help="Training steps to compare (with --train).")] = 50,
    data: Annotated[
        str | None, typer.Option("--data", help="With --train: batches from iris, digits or a file (default: random).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    layout: LayoutOption = ModuleLayout.torch,
    plot_file: Annotated[
        Path | None,
        typer.Option("--plot", help="Also draw the model (.svg, .png, .pdf), each layer shaded by its difference."),
    ] = None,
    max_params: MaxParams = DEFAULT_MAX_PARAMS,
    max_activations: MaxActivations = DEFAULT_MAX_ACTIVATIONS,
) -> None:
    """Build both frameworks' models, copy weights each way, and compare every layer's output.

    With --train: start both from the same weights, take the same batches, and compare every step's loss."""
    from .parity.check import check_parity

    loaded = _load(file, max_params, max_activations)
    if train:
        _check_training(loaded, steps, seed, tolerance, as_json, data)
    tolerance = 1e-5 if tolerance is None else tolerance
    from .weights.files import named

    with _reporting(file), named(weights):
        keras_model, state = _check_weights(loaded, weights)
        report = check_parity(
            loaded, tolerance, seed, training, keras_model=keras_model, torch_state=state, layout=layout.value
        )
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2))
    else:
        from .tables import print_report

        print_report(report)
    if plot_file is not None:  # written whatever the verdict: it shows where the frameworks part ways
        _plot_differences(loaded, report, plot_file, as_json)
    raise typer.Exit(0 if report.passed else 1)


def _plot_differences(loaded: LoadedSpec, report: Any, path: Path, quiet: bool) -> None:
    from .plot import plot as draw

    differences: dict[str, float] = {}
    for row in report.rows:
        differences[row.layer] = max(differences.get(row.layer, 0.0), row.max_abs)
    with _reporting(path):
        draw(loaded, path, differences=differences)
    if not quiet:
        typer.echo(f"wrote {path} (each layer shaded by its largest difference)")


def _check_training(
    loaded: LoadedSpec, steps: int, seed: int, tolerance: float | None, as_json: bool, data: str | None
) -> None:
    from .training.parity import check_training, dataset_batches

    with _reporting(loaded.source):
        batches = dataset_batches(loaded, data, seed) if data else None
        report = check_training(loaded, steps, seed, tolerance, batches)
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2))
    else:
        from .tables import print_training_report

        print_training_report(report)
    raise typer.Exit(0 if report.passed else 1)


def _check_weights(loaded: LoadedSpec, weights: Path | None) -> tuple[object, object]:
    if weights is None:
        return None, None
    from .weights.files import kind_of, read_keras_weights, read_torch_state

    if kind_of(weights) == "torch":
        return None, read_torch_state(weights)
    from ..spec.graph import model_weights
    from .targets.keras_model import compile_keras

    model = compile_keras(loaded)
    read_keras_weights(weights, model, model_weights(loaded.graph))
    return model, None


class Backend(StrEnum):
    keras = "keras"
    torch = "torch"
    both = "both"


SavedRun = Annotated[
    Path, typer.Argument(exists=True, help="A folder `nnspec train` wrote (or its .keras / .pt file).")
]
DataOption = Annotated[
    str, typer.Option("--data", help="iris, digits (scikit-learn's, split 7:3), or a .csv / .npz file.")
]


@app.command(cls=Command)
def train(
    file: Annotated[Path, typer.Argument(exists=True, help="A spec with a compile_config (and a fit_config).")],
    backend: Annotated[Backend, typer.Option("--backend", help="keras, torch or both.")] = Backend.both,
    data: DataOption = "iris",
    output: Annotated[Path, typer.Option("-o", "--output", help="The folder to write into.")] = Path("runs"),
    epochs: Annotated[int | None, typer.Option("--epochs", min=1, help="Override fit_config.epochs.")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the train/test split.")] = 0,
) -> None:
    """Train in Keras and/or PyTorch: history JSON, loss/accuracy curves, and the trained model."""
    from .training.plan import training_plan
    from .training.progress import ordered
    from .training.run import dataset_for
    from .training.run import train as train_model

    loaded = _load(file, DEFAULT_MAX_PARAMS)
    backends = ["keras", "torch"] if backend is Backend.both else [backend.value]
    with _reporting(file):
        plan = training_plan(loaded)
        dataset = dataset_for(loaded, plan, data, seed)
        typer.echo(describe_dataset(dataset))
        results = [train_model(loaded, name, dataset, output / name, epochs) for name in backends]
    for result in results:
        shown = ", ".join(f"{k} {v:.4f}" for k, v in ordered(result.test).items())
        typer.echo(f"{result.backend:>5}: test {shown}; {result.params:,} parameters; curves {result.curves}")


@app.command(cls=Command)
def evaluate(
    model: SavedRun,
    data: DataOption = "iris",
    seed: Annotated[int, typer.Option("--seed", help="Seed of the train/test split.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Loss and metrics of a trained model on the test split."""
    from .training.plan import training_plan
    from .training.run import dataset_for, evaluate_saved, find_saved

    with _reporting():
        saved = find_saved(model)
        dataset = dataset_for(saved.loaded, training_plan(saved.loaded), data, seed)
        figures = evaluate_saved(saved, dataset)
    if as_json:
        typer.echo(json.dumps({"backend": saved.backend, **figures}, indent=2))
    else:
        from .training.progress import ordered

        typer.echo(f"{saved.backend}: test " + ", ".join(f"{k} {v:.4f}" for k, v in ordered(figures).items()))


@app.command(cls=Command)
def predict(
    model: SavedRun,
    data: DataOption = "iris",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write predictions as CSV here.")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the train/test split.")] = 0,
) -> None:
    """Predictions of a trained model for the test split: class, label and probabilities."""
    from .training.plan import training_plan
    from .training.run import dataset_for, find_saved, predict_saved

    with _reporting():
        saved = find_saved(model)
        dataset = dataset_for(saved.loaded, training_plan(saved.loaded), data, seed)
        outputs = predict_saved(saved, dataset.x_test)
    lines = ["row,predicted,label," + ",".join(f"output_{i}" for i in range(outputs.shape[-1]))]
    for row, (values, label) in enumerate(zip(outputs.reshape(len(outputs), -1), dataset.y_test, strict=True)):
        predicted = int(values.argmax()) if values.size > 1 else int(values[0] > 0.5)
        shown = label if label.ndim == 0 else label.argmax()
        lines.append(f"{row},{predicted},{shown}," + ",".join(f"{v:.6g}" for v in values))
    text = "\n".join(lines) + "\n"
    if output is None:
        typer.echo(text, nl=False)
    else:
        write_atomically(output, text)
        typer.echo(f"wrote {output} ({len(outputs)} predictions)")


def describe_dataset(dataset: object) -> str:
    from .training.datasets import describe

    return describe(dataset)  # type: ignore[arg-type]


@contextmanager
def _reporting(source: object = None) -> Iterator[None]:
    """Spec, data and weight problems become a message and exit 1, never a traceback. A
    spec problem found after loading (no torch rule, a training plan) names the spec file."""
    try:
        yield
    except SpecError as error:
        error.source = error.source or (str(source) if source is not None else None)
        _fail(error)
    except (ValueError, OSError) as error:
        from .from_torch.reverse import Untranslatable
        from .parity.check import ParityUnavailable
        from .staging import OutputError
        from .targets.keras_model import KerasCannotBuild
        from .training.datasets import DataError
        from .weights.links import WeightError

        known = (
            DataError,
            WeightError,
            ParityUnavailable,
            OutputError,
            FileNotFoundError,
            Untranslatable,
            KerasCannotBuild,
        )
        if not isinstance(error, known):
            raise
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None


def _misuse(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def quiet_tensorflow(environ: dict[str, str] | os._Environ[str] = os.environ) -> None:
    """TensorFlow's start-up lines (absl's, oneDNN's notice, cpu_feature_guard's) would
    fill a command's output: silenced unless the user chose a log level. The notice comes
    with oneDNN's custom operations, which also move float results in their last bits:
    they stay off too, as in nnspec's tests and CI."""
    if "TF_CPP_MIN_LOG_LEVEL" not in environ:
        environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
        environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")


def main() -> None:
    quiet_tensorflow()
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
