"""From PyTorch (issue 10), measured in one run: converting the torchvision-style ResNet-18 of
tests/fixtures/torch_modules/resnet.py to a Keras model, nnspec against nobuco on the same module.

The module is built once, with seeded random weights everywhere (BatchNorm's scale, shift and running statistics
too), in eval mode, and saved with a seeded example batch in a temporary folder. Each converter then runs in a
worker process of its own, driven over a pipe, the two alternating conversion by conversion (order reversed every
other round), so that load on the machine falls on both:

- nnspec: `nnspec.keras_model_from_torch(module, example)` and `model.save(...keras)` (Keras 3, TensorFlow
  backend); its tracing alone, `nnspec.from_torch(module, example)`, timed separately;
- nobuco: `nobuco.pytorch_to_keras(module, args=[example], inputs_channel_order=ChannelOrder.TENSORFLOW,
  outputs_channel_order=ChannelOrder.TENSORFLOW, ...)` and `model.save(...keras)`, with full_validation=False (no
  check, as nnspec's call) and with nobuco's default full_validation=True (every submodule run in both frameworks
  and compared). nobuco builds Keras 2 models only (tf.keras / tf_keras), so its worker runs in a virtualenv of its
  own (benchmarks/nobuco_env.sh) where `import keras` is tf_keras.

The first conversion in each worker (after its imports) is reported apart; the figures are medians of the RUNS
after it. Each converted model is then run by its own framework at batch 1 and at batch 8, against the torch
module; each `.keras` file is loaded with Keras 3's `keras.models.load_model` in this process and run again.

Run: benchmarks/nobuco_env.sh && python benchmarks/bench_from_torch.py
     --size 64 for a 64x64 input (quicker); NNSPEC_NOBUCO_PYTHON names another interpreter with nobuco
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import argparse
import gc
import importlib.abc
import importlib.metadata
import importlib.util
import json
import platform
import statistics
import tempfile
import time
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import worker_pipe
from worker_pipe import protocol_channel

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESNET = ROOT / "tests" / "fixtures" / "torch_modules" / "resnet.py"
STUBS = HERE / "stubs"
"""A stand-in torchvision, so that nobuco imports (see stubs/torchvision/__init__.py)."""
NOBUCO_PYTHON = Path(os.environ.get("NNSPEC_NOBUCO_PYTHON", "/tmp/nnspec-nobuco/bin/python"))
THREADS = 2
RUNS = 5
"""Timed calls per contender after the first (the figures are their medians; other sessions' load on these two
cores makes single calls jump 2-4x now and then)."""
BATCHES = (1, 8)
PARAMETERS = 11_689_512
TOLERANCE = 1e-5
"""Largest max |output - torch's| allowed, as a fraction of the largest |torch output|."""
REASON_CHARS = 160
NNSPEC, NNSPEC_TRACE = "nnspec", "nnspec trace"
NOBUCO, NOBUCO_VALIDATED = "nobuco", "nobuco validated"
LABELS = {
    NNSPEC: "nnspec.keras_model_from_torch + save",
    NNSPEC_TRACE: "  nnspec.from_torch alone (the trace)",
    NOBUCO: "nobuco (full_validation=False) + save",
    NOBUCO_VALIDATED: "nobuco (default: validated) + save",
}
TASKS = {NNSPEC: (NNSPEC, "convert"), NNSPEC_TRACE: (NNSPEC, "trace"), NOBUCO: (NOBUCO, "convert")}
TASKS[NOBUCO_VALIDATED] = (NOBUCO, "convert-validated")


def reason(exc: BaseException) -> str:
    """One short line: the exception's kind and its first line."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    text = f"{type(exc).__name__}: {lines[0] if lines else ''}"
    return text if len(text) <= REASON_CHARS else text[: REASON_CHARS - 3] + "..."


def said(exc: BaseException) -> str:
    """What a worker said went wrong (read_reply raises its line as a RuntimeError), or `reason(exc)`."""
    return str(exc) if type(exc) is RuntimeError else reason(exc)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds one call of `fn` takes (the garbage of earlier calls collected first, outside the timing), and
    what it returned."""
    gc.collect()
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def resnet_class() -> Any:
    spec = importlib.util.spec_from_file_location("resnet_fixture", RESNET)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.ResNet18


def relative_difference(output: np.ndarray, reference: np.ndarray) -> float:
    """Max |output - reference| as a fraction of max |reference| (inf when the shapes differ)."""
    if output.shape != reference.shape:
        return float("inf")
    return float(np.max(np.abs(output - reference))) / float(np.max(np.abs(reference)))


# ---- the workers: one per converter, each a process of its own --------------------------------------------------


class KerasIsTfKeras(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Makes `import keras` (and `keras.src....`) give tf_keras, the Keras 2 that nobuco is written for, in
    nobuco's worker only: the system's `keras` is Keras 3, which nobuco does not support."""

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname == "keras" or fullname.startswith("keras."):
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec: Any) -> types.ModuleType:
        return importlib.import_module("tf_keras" + spec.name.removeprefix("keras"))

    def exec_module(self, module: types.ModuleType) -> None:
        pass


@dataclass
class Converter:
    """One converter in its worker: `convert(path, validated)` makes the Keras model and saves it to `path`."""

    convert: Callable[[Path, bool], Any]
    trace: Callable[[], Any] | None
    versions: dict[str, str]


def nnspec_converter(module: Any, example: Any) -> Converter:
    """nnspec: the public calls, Keras 3 on its TensorFlow backend."""
    import keras

    import nnspec
    import nnspec.compiler.from_torch.convert  # imported before the timing, like the rest

    def convert(path: Path, validated: bool) -> Any:
        model = nnspec.keras_model_from_torch(module, example)
        model.save(path)
        return model

    versions = {"nnspec": importlib.metadata.version("nnspec"), "keras": keras.__version__}
    return Converter(convert, lambda: nnspec.from_torch(module, example), versions)


def nobuco_converter(module: Any, example: Any) -> Converter:
    """nobuco, with `import keras` giving tf_keras (set TF_USE_LEGACY_KERAS=1 too, for its tf.keras calls), and
    the stand-in torchvision where none is installed."""
    if importlib.util.find_spec("torchvision") is None:
        sys.path.append(str(STUBS))
    import tf_keras

    sys.meta_path.insert(0, KerasIsTfKeras())
    import nobuco
    from nobuco import ChannelOrder

    def convert(path: Path, validated: bool) -> Any:
        model = nobuco.pytorch_to_keras(
            module,
            args=[example],
            inputs_channel_order=ChannelOrder.TENSORFLOW,
            outputs_channel_order=ChannelOrder.TENSORFLOW,
            full_validation=validated,
        )
        model.save(path)
        return model

    versions = {"nobuco": importlib.metadata.version("nobuco"), "tf_keras": tf_keras.__version__}
    return Converter(convert, None, versions)


def worker(tool: str, folder: str) -> None:
    """Load the module and example the parent saved, import the converter, then answer each JSON line:
    {"do": "convert" | "convert-validated" | "trace"} with the seconds it took, {"do": "check"} with the last
    model's layers and its outputs (saved beside the inputs) at each batch size."""
    channel = protocol_channel()
    start = time.perf_counter()
    try:
        import torch

        torch.set_num_threads(THREADS)
        module = resnet_class()()
        module.load_state_dict(torch.load(Path(folder) / "resnet18.pt", weights_only=True))
        module.eval()
        example = torch.from_numpy(np.load(Path(folder) / "x1.npy"))
        converter = (nnspec_converter if tool == NNSPEC else nobuco_converter)(module, example)
    except Exception as exc:
        print(json.dumps({"error": reason(exc)}), file=channel)
        return
    hello = {"ready": True, "import_s": time.perf_counter() - start, "versions": converter.versions}
    print(json.dumps(hello), file=channel)
    model = None
    path = Path(folder) / f"{tool}.keras"
    for line in sys.stdin:
        do = json.loads(line)["do"]
        try:
            if do == "trace" and converter.trace is not None:
                reply: dict[str, Any] = {"seconds": timed(converter.trace)[0]}
            elif do in ("convert", "convert-validated"):
                seconds, model = timed(lambda do=do: converter.convert(path, do == "convert-validated"))
                reply = {"seconds": seconds}
            elif do == "check" and model is not None:
                reply = check_in_worker(model, Path(folder), tool)
                reply["keras_file"] = str(path)
            else:
                reply = {"error": f"{tool} cannot {do!r} here"}
        except Exception as exc:
            reply = {"error": reason(exc)}
        print(json.dumps(reply), file=channel)


def check_in_worker(model: Any, folder: Path, tool: str) -> dict[str, Any]:
    """The model's layers and declared input shape; its outputs on the (N, H, W, C) batches, or why not."""
    layers = [f"{type(layer).__module__.split('.')[0]}.{type(layer).__name__}" for layer in model.layers]
    reply: dict[str, Any] = {"layers": layers, "input_shape": list(model.input_shape), "errors": {}}
    for batch in BATCHES:
        x = np.load(folder / f"x{batch}_nhwc.npy")
        try:
            np.save(folder / f"{tool}_out{batch}.npy", np.asarray(model(x, training=False)))
        except Exception as exc:
            reply["errors"][str(batch)] = reason(exc)
    return reply


class Worker:
    """The parent's end of a worker: one JSON line out, one JSON line back."""

    def __init__(self, tool: str, python: Path, folder: Path, env: dict[str, str]) -> None:
        self.tool = tool
        self.log = folder / f"{tool}.log"
        argv = [str(python), __file__, "--worker", tool, str(folder)]
        self.proc, self.hello = worker_pipe.start(argv, self.log, env, tool)

    def _reply(self) -> dict[str, Any]:
        return worker_pipe.read_reply(self.proc, self.log, self.tool)

    def ask(self, do: str) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"do": do}) + "\n")
        self.proc.stdin.flush()
        return self._reply()

    def close(self) -> None:
        worker_pipe.close(self.proc)


# ---- the parent -------------------------------------------------------------------------------------------------


def prepare(folder: Path, size: int) -> dict[int, np.ndarray]:
    """The ResNet-18 with seeded random weights, its example (batch 1) and a batch of 8 saved in `folder`; torch's
    outputs at each batch size."""
    import torch
    from torch import nn

    torch.manual_seed(0)
    module = resnet_class()()
    generator = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for layer in module.modules():
            if isinstance(layer, nn.BatchNorm2d):
                layer.weight.copy_(torch.rand(layer.weight.shape, generator=generator) + 0.5)
                layer.bias.copy_(torch.randn(layer.bias.shape, generator=generator) * 0.1)
                layer.running_mean.copy_(torch.randn(layer.running_mean.shape, generator=generator) * 0.1)
                layer.running_var.copy_(torch.rand(layer.running_var.shape, generator=generator) + 0.5)
    module.eval()
    torch.save(module.state_dict(), folder / "resnet18.pt")
    rng = np.random.default_rng(2)
    references = {}
    for batch in BATCHES:
        x = rng.standard_normal((batch, 3, size, size)).astype("float32")
        np.save(folder / f"x{batch}.npy", x)
        np.save(folder / f"x{batch}_nhwc.npy", np.ascontiguousarray(np.moveaxis(x, 1, -1)))
        with torch.no_grad():
            references[batch] = module(torch.from_numpy(x)).numpy()
    return references


@dataclass
class Result:
    """What the parent learnt about one converter."""

    tool: str
    missing: str = ""
    hello: dict[str, Any] = field(default_factory=dict)
    check: dict[str, Any] = field(default_factory=dict)
    keras3: dict[int, float] = field(default_factory=dict)
    keras3_error: str = ""


def start_worker(tool: str, folder: Path) -> tuple[Worker | None, Result]:
    if tool == NNSPEC:
        python, extra = Path(sys.executable), {"KERAS_BACKEND": "tensorflow"}
    else:
        python, extra = NOBUCO_PYTHON, {"TF_USE_LEGACY_KERAS": "1"}
        if not python.exists():
            return None, Result(tool, missing=f"no {python} (run benchmarks/nobuco_env.sh first)")
    try:
        worker_ = Worker(tool, python, folder, {**os.environ, **extra})
    except Exception as exc:
        return None, Result(tool, missing=said(exc))
    return worker_, Result(tool, hello=worker_.hello)


def time_rounds(
    workers: dict[str, Worker], runs: int
) -> tuple[dict[str, float], dict[str, list[float]], dict[str, str]]:
    """The first timing of each task and the next `runs`, the tasks alternating (order reversed every other
    round); errors by task."""
    tasks = [name for name, (tool, _) in TASKS.items() if tool in workers]
    first: dict[str, float] = {}
    times: dict[str, list[float]] = {name: [] for name in tasks}
    errors: dict[str, str] = {}
    for round_ in range(runs + 1):
        for name in tasks if round_ % 2 == 0 else tasks[::-1]:
            if name in errors:
                continue
            tool, do = TASKS[name]
            try:
                seconds = float(workers[tool].ask(do)["seconds"])
            except Exception as exc:
                errors[name] = said(exc)
                continue
            if round_ == 0:
                first[name] = seconds
            else:
                times[name].append(seconds)
    return first, times, errors


def check_keras3(result: Result, references: dict[int, np.ndarray], folder: Path) -> None:
    """Load the converter's `.keras` file with Keras 3 (no custom objects) and run it at each batch size."""
    import keras

    try:
        model = keras.models.load_model(result.check["keras_file"], compile=False)
        for batch in BATCHES:
            output = np.asarray(model(np.load(folder / f"x{batch}_nhwc.npy"), training=False))
            result.keras3[batch] = relative_difference(output, references[batch])
    except Exception as exc:
        result.keras3_error = reason(exc)


def parity_cell(difference: float | None, error: str = "") -> str:
    if error:
        return "fails"
    if difference is None:
        return "n.a."
    return f"{difference:.1e} {'ok' if difference <= TOLERANCE else 'WRONG'}"


def paired_ratio(times: dict[str, list[float]], name: str, baseline: str) -> float | None:
    """Median over rounds of `name`'s time / the same round's `baseline` time."""
    if not times.get(name) or not times.get(baseline) or len(times[name]) != len(times[baseline]):
        return None
    return statistics.median(t / b for t, b in zip(times[name], times[baseline], strict=True))


def print_times(
    results: dict[str, Result], first: dict[str, float], times: dict[str, list[float]], errors: dict[str, str]
) -> None:
    print(f"conversion, seconds: first after the worker's imports, then median and best of {RUNS}, alternating")
    print(f"  {'contender':<40}{'imports':>9}{'first':>8}{'median':>8}{'best':>8}")
    for name, (tool, _) in TASKS.items():
        result = results[tool]
        if result.missing:
            if name == tool:
                print(f"  {LABELS[name]:<40}not measured: {result.missing}")
            continue
        if name in errors:
            print(f"  {LABELS[name]:<40}failed: {errors[name]}")
            continue
        imports = f"{result.hello['import_s']:9.2f}" if name == tool else " " * 9
        values = times[name]
        print(f"  {LABELS[name]:<40}{imports}{first[name]:8.2f}{statistics.median(values):8.2f}{min(values):8.2f}")
    print("  first: each call's first time in its worker, after the worker's imports (one-time costs); the workers")
    print("  take turns call by call, in the order of the rows, reversed every other round")
    for baseline in (NOBUCO, NOBUCO_VALIDATED):
        ratio = paired_ratio(times, NNSPEC, baseline)
        if ratio is None:
            print(f"  nnspec / {baseline}: n.a.")
            continue
        best = min(times[NNSPEC]) / min(times[baseline])
        print(f"  nnspec / {baseline}: {ratio:.2f}x (median of the rounds' ratios; best / best {best:.2f}x)")
    print()


def print_results(results: dict[str, Result], folder: Path, references: dict[int, np.ndarray]) -> None:
    import keras

    scale = max(float(np.max(np.abs(r))) for r in references.values())
    print(
        f"the converted models, against the torch module (max |diff| / max |torch output|, tolerance {TOLERANCE:g};"
        f" torch's outputs reach {scale:.2f})"
    )
    for tool, result in results.items():
        if result.missing or not result.check:
            continue
        check = result.check
        layers = check["layers"]
        foreign = sorted({name for name in layers if not hasattr(keras.layers, name.split(".")[-1])})
        kinds = "all built-in Keras 3 layer kinds" if not foreign else f"not in Keras 3: {', '.join(foreign)}"
        own = [
            f"batch {b} {parity_cell(_own_difference(folder, tool, b, references), check['errors'].get(str(b), ''))}"
            for b in BATCHES
        ]
        size = os.path.getsize(check["keras_file"]) / 2**20
        shape = tuple(check["input_shape"])
        print(f"  {tool}: {len(layers)} layers ({kinds}); input shape {shape}; .keras {size:.1f} MiB")
        print(f"    run by its own Keras ({_own_keras(result)}): {', '.join(own)}")
        for batch, error in check["errors"].items():
            print(f"      batch {batch}: {error}")
        if result.keras3_error:
            print(f"    keras.models.load_model in Keras {keras.__version__}: fails ({result.keras3_error})")
        else:
            cells = ", ".join(f"batch {b} {parity_cell(result.keras3.get(b))}" for b in BATCHES)
            print(f"    keras.models.load_model in Keras {keras.__version__}, then run: {cells}")
    print()


def _own_keras(result: Result) -> str:
    versions = result.hello.get("versions", {})
    return f"tf_keras {versions['tf_keras']}" if "tf_keras" in versions else f"Keras {versions.get('keras', '?')}"


def _own_difference(folder: Path, tool: str, batch: int, references: dict[int, np.ndarray]) -> float | None:
    path = folder / f"{tool}_out{batch}.npy"
    return relative_difference(np.load(path), references[batch]) if path.exists() else None


def load_line() -> str:
    return f"load average {os.getloadavg()[0]:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=224, help="input height and width (default 224)")
    size = parser.parse_args().size
    import torch

    torch.set_num_threads(THREADS)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="nnspec-from-torch-") as tmp:
        folder = Path(tmp)
        references = prepare(folder, size)
        workers: dict[str, Worker] = {}
        results: dict[str, Result] = {}
        for tool in (NNSPEC, NOBUCO):
            worker_, results[tool] = start_worker(tool, folder)
            if worker_ is not None:
                workers[tool] = worker_
        versions = ", ".join(f"{k} {v}" for r in results.values() for k, v in r.hello.get("versions", {}).items())
        print(
            f"python {platform.python_version()}, torch {torch.__version__}, {versions or 'no converter started'}; "
            f"CPUs {os.cpu_count()}, torch threads {THREADS}; {load_line()}"
        )
        print(
            f"ResNet-18 (tests/fixtures/torch_modules/resnet.py), {PARAMETERS:,} parameters, seeded random weights, "
            f"eval mode; example input (1, 3, {size}, {size}); the Keras models take (N, {size}, {size}, 3)"
        )
        print()
        try:
            first, times, errors = time_rounds(workers, RUNS)
            for tool, worker_ in workers.items():
                try:
                    results[tool].check = worker_.ask("check")
                except Exception as exc:
                    results[tool].check, results[tool].keras3_error = {}, said(exc)
        finally:
            for worker_ in workers.values():
                worker_.close()
        for result in results.values():
            if result.check:
                check_keras3(result, references, folder)
        print_times(results, first, times, errors)
        print_results(results, folder, references)
        for tool, result in results.items():
            if result.missing:
                print(f"{tool} not measured: {result.missing}")
    print(f"(measured in {time.perf_counter() - started:.0f} s; {load_line()})")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        worker(sys.argv[2], sys.argv[3])
    else:
        main()
