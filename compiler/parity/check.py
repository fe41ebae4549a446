"""Parity: build the Keras model and the torch module from one spec, copy weights
each way, feed both the same seeded input, and compare every layer's output.

The torch module computes in its own layouts: inputs are moved into the layout each
argument takes, and every torch value is moved back to Keras's layout (its lowering
records which it has) before it is compared."""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from ...spec.graph import Graph, index_bounds
from ...spec.model import FunctionalSpec, SequentialSpec, flatten_refs
from ..compiled import Compiled
from ..kinds import rule_for
from ..rules.layout import keras_array, torch_array
from ..targets.loading import one_torch_thread
from ..targets.lower import INDEX_DTYPES, ClassPlan, InterfaceLayout
from ..weights.links import (
    keras_arrays,
    keras_from_torch_state,
    load_torch_state,
    random_keras_arrays,
    set_keras_arrays,
    torch_state_from_keras,
)


class ParityUnavailable(ValueError):
    """The check cannot run here: Keras cannot compute a layer on this machine (TensorFlow's
    CPU kernels lack a few: dilated transposed convolutions)."""


DEFAULT_TOLERANCE = 1e-5
"""Largest difference: absolute, or relative to the layer's largest output where that is above 1."""
UNKNOWN_SIZE = 3
"""Stands in for unknown non-batch sizes in the test input."""


@dataclass
class LayerRow:
    """One call of one layer, compared in both directions."""

    layer: str
    kind: str
    call: int
    output_shape: str
    keras_params: int
    torch_params: int
    spec_params: int
    spec_torch_params: int
    """What the lowering says torch holds for the layer (parameters and buffers)."""
    max_abs: float = 0.0
    max_rel: float = 0.0
    ok: bool = True


@dataclass
class ParityReport:
    model: str
    tolerance: float
    training: bool
    rows: list[LayerRow] = field(default_factory=list)
    keras_params: int = 0
    torch_params: int = 0
    torch_buffers: int = 0
    spec_params: int = 0
    spec_torch_total: int = 0
    directions: dict[str, float] = field(default_factory=dict)
    """Largest output difference after copying weights each way."""
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems and all(row.ok for row in self.rows)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "passed": self.passed}


def sample_inputs(graph: Graph, seed: int, batch: int = 4) -> list[np.ndarray]:
    """Random inputs: normal values, or indices below the bound of the Embedding reading
    them, as the input's own dtype holds them (an int32 InputLayer's, or floats)."""
    rng = np.random.default_rng(seed)
    out = []
    for shape, bound, dtype in zip(graph.input_shapes, index_bounds(graph), graph.input_dtypes, strict=True):
        size = [batch, *(UNKNOWN_SIZE if d is None else d for d in shape[1:])]
        values = rng.normal(size=size) if bound is None else rng.integers(0, bound, size=size)
        out.append(values.astype(dtype if dtype in INDEX_DTYPES else "float32"))
    return out


def check_parity(
    spec: Any,
    tolerance: float = DEFAULT_TOLERANCE,
    seed: int = 0,
    training: bool = False,
    keras_model: Any = None,
    torch_state: dict[str, Any] | None = None,
    layout: InterfaceLayout = "torch",
    arrays: dict[str, np.ndarray] | None = None,
    both_ways: bool = True,
    torch_module: Any = None,
) -> ParityReport:
    """Compare Keras and torch layer by layer. Weights come from `keras_model` (a
    built Keras model), from `torch_state` (a state_dict), from `arrays` (Keras arrays by
    path), or are random; `both_ways` then checks the other direction too, with other
    random weights (a conversion checks the weights it moved, one way). `layout` is the
    torch module's interface (a Compiled spec brings its own); `torch_module` an
    instance of its traced form (`Compiled.traced_module`) that already holds the weights."""
    compiled = spec if isinstance(spec, Compiled) else Compiled.of(spec, layout)
    with one_torch_thread():
        return _check_parity(
            compiled, tolerance, seed, training, keras_model, torch_state, arrays, both_ways, torch_module
        )


def _check_parity(
    compiled: Compiled,
    tolerance: float,
    seed: int,
    training: bool,
    keras_model: Any,
    torch_state: dict[str, Any] | None,
    arrays: dict[str, np.ndarray] | None,
    both_ways: bool,
    torch_module: Any,
) -> ParityReport:
    import torch

    loaded, links, declared = compiled.loaded, compiled.links, compiled.declared
    module = torch_module if torch_module is not None else compiled.traced_module()
    model = keras_model if keras_model is not None else compiled.keras_model()
    report = ParityReport(loaded.graph.name, tolerance, training)
    _count(report, compiled, model, module)
    if training:
        module.train()
        random = sorted({info.kind for info in all_layers(loaded.graph) if random_in_training(info)})
        if random:
            report.problems.append(
                f"training-mode parity needs a model without {', '.join(random)}: their masks or noise are random"
            )
            return report
    else:
        module.eval()
    inputs = sample_inputs(loaded.graph, seed)
    if arrays is not None:
        start = arrays
    elif torch_state is not None:
        start = keras_from_torch_state(torch_state, links)
    elif keras_model is not None:
        start = keras_arrays(model, declared)
    else:
        start = random_keras_arrays(declared, seed)
    # the given weights (or random ones) in both models: moved Keras -> torch
    set_keras_arrays(model, declared, start)
    if torch_module is None:  # a module handed in holds them already
        load_torch_state(module, torch_state_from_keras(start, links))
    first = _compare(compiled, model, module, inputs, training)
    given = "torch_to_keras" if torch_state is not None and not both_ways else "keras_to_torch"
    report.directions = {given: max((d for d, _ in first.values()), default=0.0)}
    second: dict[tuple[str, int], tuple[float, float]] = {}
    if both_ways:  # torch -> Keras, from different weights
        other = random_keras_arrays(declared, seed + 1)
        load_torch_state(module, torch_state_from_keras(other, links))
        with torch.no_grad():
            state = {k: v.clone() for k, v in module.state_dict().items()}
        set_keras_arrays(model, declared, keras_from_torch_state(state, links))
        second = _compare(compiled, model, module, inputs, training)
        report.directions["torch_to_keras"] = max((d for d, _ in second.values()), default=0.0)
    for row in report.rows:
        a, ra = first.get((row.layer, row.call), (0.0, 0.0))
        b, rb = second.get((row.layer, row.call), (0.0, 0.0))
        row.max_abs, row.max_rel = max(a, b), max(ra, rb)
        # float32 sums of many terms: outputs of size 30 differ by ~3e-5 in their last bits
        row.ok = (row.max_abs <= tolerance or row.max_rel <= tolerance) and row.ok
    return report


def random_in_training(info: Any) -> bool:
    """Whether a layer draws random numbers in training (torch and Keras draw differently)."""
    if isinstance(info.entry, SequentialSpec | FunctionalSpec):
        return False
    return rule_for(info.kind).random_in_training(info.entry.config)


def all_layers(graph: Graph) -> Iterator[Any]:
    for info in graph.layers:
        yield info
        if info.inner is not None:
            yield from all_layers(info.inner)


def _count(report: ParityReport, compiled: Compiled, model: Any, module: Any) -> None:
    graph = compiled.loaded.graph
    top = compiled.program.top
    report.keras_params = int(model.count_params())
    report.torch_params = sum(p.numel() for p in module.parameters())
    report.torch_buffers = sum(b.numel() for b in module.buffers())
    report.spec_params = graph.params.total
    report.spec_torch_total = sum(top.torch_values())
    if report.keras_params != report.spec_params:
        report.problems.append(f"Keras counts {report.keras_params:,} params, the spec {report.spec_params:,}")
    torch_total = report.torch_params + report.torch_buffers
    if torch_total != report.spec_torch_total:
        report.problems.append(f"torch holds {torch_total:,} values, the lowering expects {report.spec_torch_total:,}")
    state = {**dict(module.named_parameters()), **dict(module.named_buffers())}  # config constants too
    plans = {layer.name: layer for layer in top.layers}
    for info in graph.layers:
        if info.kind == "InputLayer":
            continue
        owned = plans[info.name].modules
        torch_count = sum(v.numel() for k, v in state.items() if k.split(".")[0] in owned)
        expected_torch = sum(top.torch_values(info.name))
        keras_count = 0 if _is_operation(info.entry) else int(model.get_layer(info.name).count_params())
        for call in info.calls:
            row = LayerRow(
                info.name,
                info.kind,
                call.index,
                ", ".join(str(s) for s in call.output_shapes),
                keras_count,
                torch_count,
                info.params.total,
                expected_torch,
            )
            row.ok = keras_count == info.params.total and torch_count == expected_torch
            report.rows.append(row)


def _compare(
    compiled: Compiled, model: Any, module: Any, inputs: list[np.ndarray], training: bool
) -> dict[tuple[str, int], tuple[float, float]]:
    keras_values = _keras_calls(compiled, model, inputs, training)
    torch_values = torch_calls(compiled.program.top, module, inputs)
    out = {}
    for key, theirs in keras_values.items():
        mine = torch_values[key]
        worst, relative = 0.0, 0.0
        for a, b in zip(theirs, mine, strict=True):
            a = np.asarray(a, dtype="float64")
            b = np.asarray(b, dtype="float64")
            if a.shape != b.shape:
                worst = relative = float("inf")
                break
            diff = float(np.max(np.abs(a - b))) if a.size else 0.0
            worst = max(worst, diff)
            relative = max(relative, diff / max(float(np.max(np.abs(a))) if a.size else 0.0, 1e-12))
        out[key] = (worst, relative)
    return out


def _keras_calls(
    compiled: Compiled, model: Any, inputs: list[np.ndarray], training: bool
) -> dict[tuple[str, int], list[Any]]:
    """Every call's outputs in Keras, by running the model's layers one call at a time."""
    import keras

    spec, graph = compiled.loaded.spec, compiled.loaded.graph
    values: dict[tuple[str, int, int], Any] = {}
    if isinstance(spec, FunctionalSpec):
        for ref, array in zip(flatten_refs(spec.config.input_layers), inputs, strict=True):
            values[(ref[0], 0, 0)] = keras.ops.convert_to_tensor(array)
    first = spec.config.layers[0]
    start = keras.ops.convert_to_tensor(inputs[0])
    if isinstance(spec, SequentialSpec) and first.class_name == "InputLayer":
        values[(first.name, 0, 0)] = start
    entries = {entry.name: entry for entry in spec.config.layers}
    out: dict[tuple[str, int], list[Any]] = {}
    previous = start
    for call in graph.calls:
        entry = entries[call.layer]
        if entry.class_name == "InputLayer":
            continue
        if not call.inputs:
            arguments: Any = previous
        elif isinstance(spec, FunctionalSpec):
            arguments = _keras_structure(entry.inbound_nodes[call.index].inputs, values)
        else:
            arguments = values[call.inputs[0]]
        try:
            if _is_operation(entry):  # a Keras 3 operation node: not a layer of the model
                result = rule_for(entry.class_name).keras_apply(entry.config, [values[ref] for ref in call.inputs])
            else:
                node = entry.inbound_nodes[call.index] if entry.inbound_nodes else None
                options: dict[str, Any] = {}
                if node is not None and node.kwargs.use_causal_mask:
                    options["use_causal_mask"] = True
                for key, ref in call.keywords:
                    options[key] = values[ref]
                if getattr(entry.config, "positional", False):  # mha(query, value): the tensors are arguments
                    arguments = [values[ref] for ref in call.inputs]
                    result = model.get_layer(call.layer)(*arguments, training=training, **options)
                else:
                    result = model.get_layer(call.layer)(arguments, training=training, **options)
        except Exception as exc:  # TensorFlow raises its own error kinds for a kernel it lacks
            raise ParityUnavailable(
                f"Keras cannot compute layer {call.layer!r} ({entry.class_name}) here: {_reason(exc)}"
            ) from None
        flat = _flat(result)
        for i, tensor in enumerate(flat):
            values[(call.layer, call.index, i)] = tensor
        out[(call.layer, call.index)] = [keras.ops.convert_to_numpy(t) for t in flat]
        previous = flat[0]
    return out


def _reason(exc: BaseException) -> str:
    """TensorFlow's own words from a kernel error, without its op and device decorations."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(exc))
    found = re.search(r"\}\}\s*(.+?)\s*\[Op:", text)
    if found:
        return found.group(1)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0][:200] if lines else type(exc).__name__


def _is_operation(entry: Any) -> bool:
    return not isinstance(entry, SequentialSpec | FunctionalSpec) and rule_for(entry.class_name).operation


def _flat(result: Any) -> list[Any]:
    if isinstance(result, dict):
        return list(result.values())
    return list(result) if isinstance(result, list | tuple) else [result]


def _keras_structure(structure: Any, values: dict[tuple[str, int, int], Any]) -> Any:
    if isinstance(structure, dict):
        return {k: values[tuple(v)] for k, v in structure.items()}  # type: ignore[index]
    if structure and isinstance(structure[0], str):
        return values[tuple(structure)]  # type: ignore[index]
    return [values[tuple(r)] for r in structure]  # type: ignore[index]


@contextmanager
def _captured_locals(module: Any) -> Iterator[dict[str, Any]]:
    """The local variables of `module.forward` when it returns: one per call output."""
    captured: dict[str, Any] = {}
    code = type(module).forward.__code__

    def profile(frame: Any, event: str, arg: Any) -> None:
        if event == "return" and frame.f_code is code and frame.f_locals.get("self") is module:
            captured.update(frame.f_locals)

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        yield captured
    finally:
        sys.setprofile(previous)


def torch_inputs(plan: ClassPlan, inputs: list[np.ndarray]) -> list[Any]:
    """Keras-layout arrays as the tensors the generated module takes."""
    import torch

    return [torch.from_numpy(torch_array(x, v.layout)) for x, v in zip(inputs, plan.arguments, strict=True)]


def torch_calls(plan: ClassPlan, module: Any, inputs: list[np.ndarray]) -> dict[tuple[str, int], list[Any]]:
    """Every call's outputs in torch, as arrays in Keras's layout."""
    import torch

    with torch.no_grad(), _captured_locals(module) as local:
        module(*torch_inputs(plan, inputs))
    out = {}
    for layer in plan.layers:
        if layer.kind == "InputLayer":
            continue
        for index, values in layer.outputs.items():
            out[(layer.name, index)] = [keras_array(_lookup(local, v.name).numpy(), v.layout) for v in values]
    return out


def keras_outputs_of(plan: ClassPlan, outputs: Any) -> list[np.ndarray]:
    """What the generated module returned, flattened in the spec's output order, in Keras's layout."""
    flat = (
        list(outputs.values())
        if isinstance(outputs, dict)
        else list(outputs)
        if isinstance(outputs, tuple)
        else [outputs]
    )
    return [keras_array(t.detach().numpy(), v.layout) for t, v in zip(flat, plan.outputs, strict=True)]


def _lookup(local: dict[str, Any], name: str) -> Any:
    if name.endswith("]"):  # a named output of a nested model: outputs["key"]
        base, key = name.split("[", 1)
        return local[base][ast.literal_eval(key[:-1])]
    return local[name]
