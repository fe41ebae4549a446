"""ConvNet figures for the convolution issue, measured in one run: MobileNetV2 (alpha 0.35, 96x96) and ResNet50
(64x64) from keras.applications (weights=None), given seeded random non-zero weights everywhere (biases and
BatchNormalization statistics too) and saved once as `.keras` files in a temporary folder.

- forward, batch 32, torch.no_grad, eval mode, 2 torch threads, the contenders alternating block by block:
  the nnspec module (`nnspec convert MODEL.keras --to torch --layout keras`), the module onnx2torch makes
  from Keras's own ONNX export (`model.export(path, format="onnx")`), and Keras 3 itself on its torch backend (a
  worker process with KERAS_BACKEND=torch, driven block by block over a pipe). Every contender's output on the
  seeded batch is checked against Keras's own (TensorFlow backend), so a wrong conversion cannot look fast;
- build from spec: `nnspec.compile_torch(loaded)` against `keras.models.model_from_json(text)`, same process;
- converting the ResNet50 `.keras` file with `convert_to_torch`, timed in a fresh process after its imports.

Where nnspec cannot convert or build a model (yet), its rows say why not and the competitors' figures still print.
The competing tools are benchmark-only extras in a virtualenv of their own (never nnspec's dependencies):

Run: benchmarks/convnet_env.sh && /tmp/nnspec-bench/bin/python benchmarks/bench_convnets.py
     --onnx-route tensorflow exports through tf2onnx instead (NNSPEC_BENCH_TF2ONNX=1 benchmarks/convnet_env.sh)
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
if sys.argv[1:2] != ["--worker"]:
    os.environ["KERAS_BACKEND"] = "tensorflow"  # the reference; the Keras-on-torch worker is started with "torch"

import argparse
import gc
import importlib.metadata
import importlib.util
import json
import platform
import re
import statistics
import subprocess
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keras
import numpy as np
import torch
import worker_pipe
from torch import nn
from worker_pipe import protocol_channel

HERE = Path(__file__).resolve().parent
STUBS = HERE / "stubs"
"""A stand-in torchvision, so that onnx2torch imports (see stubs/torchvision/__init__.py)."""
THREADS = 2
BATCH = 32
WARMUP_CALLS = 3
BUILD_RUNS = 5
"""Timed builds per model and per way (after one warm-up each); figures are medians."""
ONNX_OPSET = 17
"""onnx2torch 1.5.15 converts opsets up to 17 (torch's exporter defaults to a newer one, with Cast-19)."""
OUTPUT_TOLERANCE = 1e-4
"""Largest max |difference| from Keras's output, as a fraction of the range of Keras's outputs."""
NNSPEC, ONNX2TORCH, KERAS_TORCH = "nnspec", "onnx2torch", "keras/torch"
FORWARD_GOALS = {ONNX2TORCH: 1.0, KERAS_TORCH: 0.5}
"""nnspec forward <= 1.0x the onnx2torch module and <= 0.5x Keras on its torch backend."""
BUILD_GOAL = 0.25
CONVERT_GOAL_S = 3.0
REASON_CHARS = 150


@dataclass(frozen=True)
class Case:
    """One model of the benchmark and how long to time its forward."""

    name: str
    label: str
    build: Callable[[], keras.Model]
    blocks: int
    calls: int


CASES = (
    Case(
        "mobilenet_v2",
        "MobileNetV2 (alpha 0.35, 96x96)",
        lambda: keras.applications.MobileNetV2(alpha=0.35, input_shape=(96, 96, 3), weights=None),
        blocks=12,
        calls=5,
    ),
    Case(
        "resnet50",
        "ResNet50 (64x64)",
        lambda: keras.applications.ResNet50(input_shape=(64, 64, 3), weights=None),
        blocks=10,
        calls=2,
    ),
)


# ---------------------------------------------------------------------------------------------------------------
# nnspec: the only code here that calls nnspec. Where nnspec cannot (yet) convert or build a model these raise, and
# the benchmark prints "not available (reason)" for those rows and still prints the competitors' figures.
# ---------------------------------------------------------------------------------------------------------------


def nnspec_imports() -> None:
    """Import what a conversion uses, so that the timed conversion starts after its imports."""
    import nnspec.compiler.convert  # noqa: F401


def nnspec_convert(keras_file: Path, out_dir: Path, layout: str = "torch", check: bool = True) -> list[Path]:
    """`nnspec convert MODEL.keras --to torch [--layout keras] [--no-check] -o DIR` from Python: the files written.
    The CLI's default layout takes (N, C, H, W) tensors; layout="keras" takes Keras's (N, H, W, C)."""
    from nnspec.compiler.convert import convert_to_torch

    result = convert_to_torch(keras_file, out_dir, layout=layout, check=check)
    if not result.files:
        raise RuntimeError(f"the conversion wrote nothing (parity check: {result.report})")
    return [Path(f) for f in result.files]


def nnspec_module(keras_file: Path) -> nn.Module:
    """The converted module with the converted weights, in eval mode. It takes the batch as Keras does (N, H, W, C),
    like the other two contenders, so that each pays for its own permutes to torch's channels-first layout."""
    import nnspec

    out_dir = Path(tempfile.mkdtemp(prefix="nnspec-", dir=keras_file.parent))
    files = nnspec_convert(keras_file, out_dir, layout="keras")
    spec = next(f for f in files if f.suffix == ".yaml")
    weights = next(f for f in files if f.suffix == ".pt")
    # the class `<name>_torch.py` defines, built from the spec written beside it
    module = nnspec.compile_torch(spec, layout="keras")
    module.load_state_dict(torch.load(weights, weights_only=True))
    return module.eval()


def nnspec_spec(json_text: str) -> Any:
    """A Keras model's JSON, loaded as a spec (outside the build timing, as bench_compile.py does)."""
    import nnspec

    return nnspec.loads(json_text)


def nnspec_build(spec: Any) -> nn.Module:
    """A torch module from a loaded spec (Keras's initializers; no weights file)."""
    import nnspec

    return nnspec.compile_torch(spec)


# ---------------------------------------------------------------------------------------------------------------


@dataclass
class Contender:
    """A way of running the model: `run(n)` times n forward calls at batch 32 (seconds), or why it cannot."""

    name: str
    run: Callable[[int], float] | None = None
    output: np.ndarray | None = None
    missing: str = ""


@dataclass
class Prepared:
    """A case's model saved as `.keras`, its seeded batch, Keras's own output and its JSON."""

    case: Case
    folder: Path
    keras_file: Path
    x: np.ndarray
    reference: np.ndarray
    json_text: str
    params: int


def reason(exc: BaseException) -> str:
    """One short line: the exception's kind, its first line and (a SpecError's) first problem."""
    lines = [line.strip(" -") for line in str(exc).splitlines() if line.strip(" -")]
    if lines and re.match(r"[^ ]*[/<][^ ]*: ", lines[0]):
        lines[0] = lines[0].split(": ", 1)[1]  # a SpecError names the temporary file first: room for the problem
    text = f"{type(exc).__name__}: {'; '.join(lines[:2])}"
    return text if len(text) <= REASON_CHARS else text[: REASON_CHARS - 3] + "..."


def randomize(model: keras.Model, rng: np.random.Generator) -> None:
    """Non-zero weights everywhere, so that no term of the forward (bias, BN statistic) can be dropped unseen."""
    for variable in model.weights:
        shape = tuple(variable.shape)
        if variable.name in ("kernel", "depthwise_kernel"):
            # Conv2D/Dense kernels end in (in, out); a depthwise kernel's fan-in is its window
            fan_in = int(np.prod(shape[:-1] if variable.name == "kernel" else shape[:-2]))
            values = rng.normal(0.0, np.sqrt(1.0 / fan_in), shape)
        elif variable.name in ("bias", "beta", "moving_mean"):
            values = rng.normal(0.0, 0.1, shape)
        elif variable.name in ("gamma", "moving_variance"):
            values = rng.uniform(0.5, 1.5, shape)
        else:
            raise SystemExit(f"{model.name}: no random values for variable {variable.path}")
        variable.assign(values.astype("float32"))


def prepare(case: Case, seed: int, root: Path) -> Prepared:
    """Build, randomize and save the model; run Keras (TensorFlow backend) on a seeded batch for the reference."""
    rng = np.random.default_rng(seed)
    model = case.build()
    randomize(model, rng)
    folder = root / case.name
    folder.mkdir()
    keras_file = folder / f"{case.name}.keras"
    model.save(keras_file)
    x = rng.standard_normal((BATCH, *model.input_shape[1:])).astype("float32")
    reference = keras.ops.convert_to_numpy(model(x, training=False))
    return Prepared(case, folder, keras_file, x, reference, model.to_json(), model.count_params())


def difference(output: np.ndarray, reference: np.ndarray) -> tuple[float, float]:
    """Max |output - reference|, absolute and as a fraction of the range of the reference."""
    if output.shape != reference.shape:
        return float("inf"), float("inf")
    diff = float(np.max(np.abs(output - reference)))
    return diff, diff / float(reference.max() - reference.min())


# ---- the Keras-on-torch worker (a process of its own: Keras picks its backend once, at import) ----------------


def keras_onnx_export(model: keras.Model, path: Path) -> float:
    """Keras's own ONNX export of `model` (the batch axis left dynamic); seconds it took."""
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the exporters' tracer and deprecation chatter
        model.export(str(path), format="onnx", verbose=False, opset_version=ONNX_OPSET)
    return time.perf_counter() - start


def keras_torch_worker(keras_file: str, x_file: str, out_file: str, onnx_file: str) -> None:
    """Load the `.keras` file on the torch backend; export it to ONNX (unless `onnx_file` is "-"); save its output
    on the batch; then answer each line "N" with the seconds N calls of `model(x, training=False)` took."""
    channel = protocol_channel()
    torch.set_num_threads(THREADS)
    try:
        model = keras.models.load_model(keras_file, compile=False)
        x = torch.from_numpy(np.load(x_file))
        with torch.no_grad():
            model(x[:1], training=False)  # Keras exports a model that has been called
    except Exception as exc:
        print(json.dumps({"error": reason(exc)}), file=channel)
        return
    hello: dict[str, Any] = {"ready": True}
    if onnx_file != "-":
        try:
            hello["export_s"] = keras_onnx_export(model, Path(onnx_file))
        except Exception as exc:
            hello["export_error"] = reason(exc)
    with torch.no_grad():
        np.save(out_file, keras.ops.convert_to_numpy(model(x, training=False)))
        print(json.dumps(hello), file=channel)
        for line in sys.stdin:
            calls = int(line)
            start = time.perf_counter()
            for _ in range(calls):
                model(x, training=False)
            print(json.dumps({"seconds": time.perf_counter() - start}), file=channel)


class KerasTorchWorker:
    """The parent's end of keras_torch_worker: one line out (a number of calls), one JSON line back."""

    def __init__(self, prepared: Prepared, x_file: Path, onnx_file: Path | None) -> None:
        self.log = prepared.folder / "keras_torch.log"
        self.out_file = prepared.folder / "keras_torch_output.npy"
        argv = [sys.executable, __file__, "--worker", "keras-torch", str(prepared.keras_file), str(x_file)]
        argv += [str(self.out_file), str(onnx_file) if onnx_file else "-"]
        env = {**os.environ, "KERAS_BACKEND": "torch"}
        self.proc, self.hello = worker_pipe.start(argv, self.log, env, "Keras-on-torch")

    def _reply(self) -> dict[str, Any]:
        return worker_pipe.read_reply(self.proc, self.log, "Keras-on-torch")

    def run(self, calls: int) -> float:
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"{calls}\n")
        self.proc.stdin.flush()
        return float(self._reply()["seconds"])

    def close(self) -> None:
        worker_pipe.close(self.proc, timeout=60)


# ---- contenders in this process ---------------------------------------------------------------------------------


def onnx2torch_module(onnx_file: Path) -> nn.Module:
    """onnx2torch's module for an ONNX file, in eval mode (the stand-in torchvision only if none is installed)."""
    if not onnx_file.exists():
        raise FileNotFoundError("no ONNX file (the export failed)")
    if importlib.util.find_spec("torchvision") is None:
        sys.path.append(str(STUBS))
    try:
        import onnx
        from onnx2torch import convert
    except ImportError as exc:
        raise ImportError(f"{exc}; run benchmarks/convnet_env.sh and the venv's python") from None

    return convert(onnx.load(str(onnx_file))).eval()


def local_contender(name: str, make: Callable[[], nn.Module], x: np.ndarray) -> Contender:
    """A torch module timed in this process; its output on the batch kept for the check."""
    try:
        module = make()
        batch = torch.from_numpy(x)
        with torch.no_grad():
            output = module(batch).numpy()
    except Exception as exc:
        return Contender(name, missing=reason(exc))

    def run(calls: int) -> float:
        with torch.no_grad():
            start = time.perf_counter()
            for _ in range(calls):
                module(batch)
            return time.perf_counter() - start

    return Contender(name, run, output)


def onnx_export_here(prepared: Prepared, onnx_file: Path) -> str:
    """The TensorFlow-backend route (tf2onnx), from the `.keras` file; a line saying what it did."""
    model = keras.models.load_model(prepared.keras_file, compile=False)
    model(prepared.x[:1], training=False)  # Keras exports a model that has been called
    seconds = keras_onnx_export(model, onnx_file)
    return f"Keras model.export (TensorFlow backend: tf2onnx {importlib.metadata.version('tf2onnx')}), {seconds:.1f} s"


def contenders_for(prepared: Prepared, route: str) -> tuple[list[Contender], list[KerasTorchWorker], str]:
    """The three contenders for one model, the workers to close afterwards, and a line on the ONNX export."""
    x_file = prepared.folder / "x.npy"
    np.save(x_file, prepared.x)
    onnx_file = prepared.folder / f"{prepared.case.name}.onnx"
    export_line = ""
    if route == "tensorflow":
        try:
            export_line = onnx_export_here(prepared, onnx_file)
        except Exception as exc:
            export_line = f"ONNX export failed: {reason(exc)}"

    workers: list[KerasTorchWorker] = []
    try:
        worker = KerasTorchWorker(prepared, x_file, onnx_file if route == "torch" else None)
        workers.append(worker)
        keras_torch = Contender(KERAS_TORCH, worker.run, np.load(worker.out_file))
        if route == "torch":
            if "export_error" in worker.hello:
                export_line = f"ONNX export failed: {worker.hello['export_error']}"
            else:
                seconds = worker.hello["export_s"]
                export_line = f"Keras model.export (torch backend: torch.onnx, TorchScript exporter), {seconds:.1f} s"
    except Exception as exc:
        keras_torch = Contender(KERAS_TORCH, missing=reason(exc))
        export_line = export_line or f"ONNX export not run: {keras_torch.missing}"

    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # onnx2torch's Slice indexes with a list (a torch deprecation)
        competitor = local_contender(ONNX2TORCH, lambda: onnx2torch_module(onnx_file), prepared.x)
    if competitor.run is not None:
        export_line += f"; onnx2torch.convert {time.perf_counter() - start:.1f} s"
    mine = local_contender(NNSPEC, lambda: nnspec_module(prepared.keras_file), prepared.x)
    return [mine, competitor, keras_torch], workers, f"ONNX: {export_line}, opset {ONNX_OPSET}"


# ---- timing ----------------------------------------------------------------------------------------------------


def time_blocks(contenders: list[Contender], blocks: int, calls: int) -> dict[str, list[float]]:
    """Seconds per call, block by block, the contenders alternating (order reversed every other block)."""
    ready = [c for c in contenders if c.run is not None]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for contender in ready:
            contender.run(WARMUP_CALLS)  # type: ignore[misc]
        times: dict[str, list[float]] = {c.name: [] for c in ready}
        for block in range(blocks):
            for contender in ready if block % 2 == 0 else ready[::-1]:
                times[contender.name].append(contender.run(calls) / calls)  # type: ignore[misc]
    return times


def paired_ratio(times: dict[str, list[float]], name: str, baseline: str) -> float | None:
    """Median over blocks of `name`'s time / the same block's `baseline` time."""
    if name not in times or baseline not in times:
        return None
    return statistics.median(t / b for t, b in zip(times[name], times[baseline], strict=True))


def ratio_cell(ratio: float | None) -> str:
    return "n.a." if ratio is None else f"{ratio:.3f}x"


def forward_figures(prepared: Prepared, route: str) -> dict[str, float | None]:
    """Print one model's forward table; return nnspec's ratios vs each baseline (None: not measured or wrong)."""
    case = prepared.case
    contenders, workers, export_line = contenders_for(prepared, route)
    try:
        times = time_blocks(contenders, case.blocks, case.calls)
    finally:
        for worker in workers:
            worker.close()

    print(
        f"{case.label}: {prepared.params:,} parameters; forward ms per batch of {BATCH}, no_grad, eval, "
        f"{THREADS} threads; {case.blocks} alternating blocks x {case.calls} calls after {WARMUP_CALLS} warm-up calls"
    )
    print(f"  {export_line}")
    print(f"  {'contender':<13}{'median':>9}{'best':>9}{'vs onnx2torch':>15}{'vs keras/torch':>16}{'max |diff|':>12}")
    wrong: set[str] = set()
    for contender in contenders:
        if contender.run is None or contender.output is None:
            print(f"  {contender.name:<13}not available ({contender.missing})")
            continue
        diff, relative = difference(contender.output, prepared.reference)
        if not relative <= OUTPUT_TOLERANCE:
            wrong.add(contender.name)
        vs_onnx, vs_keras = (ratio_cell(paired_ratio(times, contender.name, base)) for base in FORWARD_GOALS)
        mark = "  WRONG OUTPUT" if contender.name in wrong else ""
        block = times[contender.name]
        print(
            f"  {contender.name:<13}{statistics.median(block) * 1e3:9.2f}{min(block) * 1e3:9.2f}"
            f"{vs_onnx:>15}{vs_keras:>16}{diff:12.2e}{mark}"
        )
    span = float(prepared.reference.max() - prepared.reference.min())
    print(
        f"  vs X: median over blocks of time / the same block's X time; max |diff|: against Keras (TensorFlow backend)"
        f" on the seeded batch, whose softmax outputs span {span:.2e} (tolerance {OUTPUT_TOLERANCE:g} of that)"
    )
    print()
    if NNSPEC in wrong:
        return {base: float("inf") for base in FORWARD_GOALS}
    return {base: None if base in wrong else paired_ratio(times, NNSPEC, base) for base in FORWARD_GOALS}


def timed(fn: Callable[[], Any]) -> float:
    """Seconds one call of `fn` takes, the garbage of earlier calls collected first (outside the timing)."""
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def build_figures(cases: list[Prepared]) -> dict[str, float | None]:
    """Print the build table; return nnspec/keras build ratios by model (None: nnspec could not build)."""
    print(f"build from spec, ms: median of {BUILD_RUNS} after 1 warm-up, alternating, same process")
    print(f"  {'model':<34}{'nnspec':>10}{'keras':>10}{'nnspec/keras':>14}")
    ratios: dict[str, float | None] = {}
    for prepared in cases:
        text = prepared.json_text
        keras.models.model_from_json(text)  # warm-up
        spec: Any = None
        missing = ""
        try:
            spec = nnspec_spec(text)
            nnspec_build(spec)  # warm-up
        except Exception as exc:
            spec, missing = None, reason(exc)
        mine: list[float] = []
        theirs: list[float] = []
        for _ in range(BUILD_RUNS):
            if spec is not None:
                mine.append(timed(lambda spec=spec: nnspec_build(spec)))
            theirs.append(timed(lambda text=text: keras.models.model_from_json(text)))
        k = statistics.median(theirs)
        if spec is None:
            ratios[prepared.case.name] = None
            print(f"  {prepared.case.label:<34}{'n.a.':>10}{k * 1e3:10.1f}{'n.a.':>14}   nnspec: {missing}")
            continue
        n = statistics.median(mine)
        ratios[prepared.case.name] = n / k
        print(f"  {prepared.case.label:<34}{n * 1e3:10.1f}{k * 1e3:10.1f}{n / k:13.3f}x")
    print("  nnspec = nnspec.compile_torch(spec), the spec loaded from the model's JSON beforehand;")
    print("  keras = keras.models.model_from_json(the same JSON text), TensorFlow backend")
    print()
    return ratios


def convert_worker(keras_file: str, out_dir: str, check: str) -> None:
    """Time `nnspec_convert` in this fresh process, after its imports: the first conversion, then a second."""
    channel = protocol_channel()
    torch.set_num_threads(THREADS)
    checked = check == "check"
    try:
        nnspec_imports()
        first = timed(lambda: nnspec_convert(Path(keras_file), Path(out_dir) / "first", check=checked))
        second = timed(lambda: nnspec_convert(Path(keras_file), Path(out_dir) / "second", check=checked))
    except Exception as exc:
        print(json.dumps({"error": reason(exc)}), file=channel)
        return
    print(json.dumps({"first": first, "second": second}), file=channel)


def convert_figures(prepared: Prepared) -> float | None:
    """Print the conversion time of the model's `.keras` file, without and with the parity check (each in a fresh
    process, after imports); return the first conversion's time without the check."""
    print(f"convert {prepared.case.label} .keras -> torch (convert_to_torch), a fresh process each:")
    first: float | None = None
    for check, label in (("no-check", "--no-check  "), ("check", "parity check")):
        folder = prepared.folder / f"convert-{check}"
        argv = [sys.executable, __file__, "--worker", "convert", str(prepared.keras_file), str(folder), check]
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
        lines = done.stdout.strip().splitlines()
        reply = json.loads(lines[-1]) if lines else {"error": f"exit {done.returncode}: {done.stderr.strip()[-200:]}"}
        if "error" in reply:
            print(f"  {label}  nnspec: not available ({reply['error']})")
            continue
        first_s, second_s = reply["first"], reply["second"]
        print(f"  {label}  first conversion after imports {first_s:6.2f} s   a second one {second_s:6.2f} s")
        if check == "no-check":
            first = float(reply["first"])
    print("  (the conversion reads the .keras weights without Keras and writes spec, module and .pt; the check then")
    print("   builds the Keras model and compares every layer's output on the converted weights)")
    print()
    return first


def verdict(ratio: float | None, goal: float) -> str:
    if ratio is None:
        return "n.a."
    if ratio == float("inf"):
        return "FAIL (wrong output)"
    return f"{'PASS' if ratio <= goal else 'FAIL'} ({ratio:.3f}x)"


def versions() -> str:
    found = []
    for name in ("onnx", "onnx2torch", "tf2onnx"):
        try:
            found.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            found.append(f"{name} missing")
    return ", ".join(found)


def load_line() -> str:
    """The 1-minute load average: other processes on these CPUs (tests, builds) slow every contender unevenly."""
    return f"load average {os.getloadavg()[0]:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--onnx-route",
        choices=("torch", "tensorflow"),
        default="torch",
        help="Keras backend that exports the ONNX file: torch (torch.onnx, no extra) or tensorflow (tf2onnx)",
    )
    route = parser.parse_args().onnx_route
    torch.set_num_threads(THREADS)
    gc.collect()
    gc.freeze()  # the frameworks' import-time objects: keeps each gc.collect() between builds short
    print(
        f"python {platform.python_version()}, torch {torch.__version__}, keras {keras.__version__}, {versions()}; "
        f"CPUs {os.cpu_count()}, torch threads {THREADS}; {load_line()}"
    )
    print()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="nnspec-convnets-") as tmp:
        cases = [prepare(case, seed, Path(tmp)) for seed, case in enumerate(CASES)]
        forward = {p.case.name: forward_figures(p, route) for p in cases}
        builds = build_figures(cases)
        resnet = next(p for p in cases if p.case.name == "resnet50")
        converted = convert_figures(resnet)

    print("goals:")
    for base, goal in FORWARD_GOALS.items():
        cells = ", ".join(f"{p.case.name} {verdict(forward[p.case.name][base], goal)}" for p in cases)
        print(f"  forward <= {goal}x {base}: {cells}")
    cells = ", ".join(f"{p.case.name} {verdict(builds[p.case.name], BUILD_GOAL)}" for p in cases)
    print(f"  build <= {BUILD_GOAL}x model_from_json: {cells}")
    convert = "n.a." if converted is None else f"{'PASS' if converted < CONVERT_GOAL_S else 'FAIL'} ({converted:.2f} s)"
    print(f"  convert {resnet.case.name}.keras (after imports, --no-check) < {CONVERT_GOAL_S:g} s: {convert}")
    print(f"(measured in {time.perf_counter() - started:.0f} s; {load_line()})")


if __name__ == "__main__":
    if sys.argv[1:3] == ["--worker", "keras-torch"]:
        keras_torch_worker(*sys.argv[3:7])
    elif sys.argv[1:3] == ["--worker", "convert"]:
        convert_worker(*sys.argv[3:6])
    else:
        main()
