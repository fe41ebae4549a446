"""The one parity helper the kind table, the fixtures and the name tests share.

`assert_parity(spec)` checks a spec against both frameworks: the generated
sources compile, the parity checker passes in both weight directions within the
tolerance, and every parameter count agrees (Keras's own count, the spec's static
count, each layer's row, torch's parameters plus buffers, torch's trainable
parameters). It also checks each model output's shape against the spec."""

from __future__ import annotations

from typing import Any

import numpy as np

TOLERANCE = 1e-5


def load(spec: Any) -> Any:
    import nnspec

    return spec if isinstance(spec, nnspec.LoadedSpec) else nnspec.load(spec)


def compile_sources(loaded: Any) -> tuple[str, str]:
    """The generated torch and Keras files, each compiled (a SyntaxError fails the test)."""
    from nnspec.compiler.targets.keras_model import keras_source
    from nnspec.compiler.targets.torch_module import torch_source

    torch_text = torch_source(loaded).text
    keras_text = keras_source(loaded).text
    compile(torch_text, "<generated torch>", "exec")
    compile(keras_text, "<generated keras>", "exec")
    return torch_text, keras_text


def keras_outputs(model: Any, loaded: Any, inputs: list[np.ndarray]) -> list[np.ndarray]:
    """The Keras model's outputs, flattened in the spec's output order."""
    config = loaded.spec.config
    structure = getattr(config, "input_layers", None)
    if isinstance(structure, dict):
        result = model(dict(zip(structure, inputs, strict=True)), training=False)
    else:
        result = model(inputs[0] if len(inputs) == 1 else inputs, training=False)
    outputs = getattr(config, "output_layers", None)
    if isinstance(result, dict):
        assert isinstance(outputs, dict), "Keras returned a dict for a model without named outputs"
        return [np.asarray(result[key]) for key in outputs]
    return [np.asarray(t) for t in (result if isinstance(result, list | tuple) else [result])]


def assert_parity(
    spec: Any, training: bool = False, tolerance: float = TOLERANCE, seed: int = 0, layout: str = "torch"
) -> Any:
    """Run the parity checker on `spec` and check what it reports; returns the report."""
    from nnspec.compiler.parity.check import check_parity, sample_inputs

    loaded = load(spec)
    compile_sources(loaded)
    graph = loaded.graph
    report = check_parity(loaded, tolerance=tolerance, seed=seed, training=training, layout=layout)
    bad = [(r.layer, r.call, r.max_abs, r.keras_params, r.spec_params, r.torch_params) for r in report.rows if not r.ok]
    assert report.passed, (report.problems, bad)
    assert set(report.directions) == {"keras_to_torch", "torch_to_keras"}
    worst_relative = max((row.max_rel for row in report.rows), default=0.0)
    for direction, diff in report.directions.items():
        assert diff <= tolerance or worst_relative <= tolerance, f"{direction}: max difference {diff}"

    # counts: Keras's own, the spec's static count and the per-layer rows agree; torch's
    # own count agrees with what the lowering says the module holds
    assert report.keras_params == report.spec_params == graph.params.total
    from nnspec.compiler.compiled import Compiled

    compiled = Compiled.of(loaded, layout)
    torch_total = sum(compiled.program.top.torch_values())
    firsts = {}
    for row in report.rows:
        info = graph.layer(row.layer)
        assert row.keras_params == row.spec_params == info.params.total, row
        assert row.torch_params == row.spec_torch_params, row
        firsts.setdefault(row.layer, row)
    layers = [info for info in graph.layers if info.kind != "InputLayer"]
    assert set(firsts) == {info.name for info in layers}, "every layer has a row"
    assert sum(row.keras_params for row in firsts.values()) == graph.params.total
    assert sum(row.torch_params for row in firsts.values()) == torch_total
    assert report.torch_params + report.torch_buffers == report.spec_torch_total == torch_total

    # the same counts measured afresh on each framework's model
    module = compiled.torch_module()
    torch_values = sum(p.numel() for p in module.parameters()) + sum(b.numel() for b in module.buffers())
    assert torch_values == torch_total
    model = compiled.keras_model()
    assert model.count_params() == graph.params.total
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    assert trainable == graph.params.trainable
    assert sum(p.numel() for p in module.parameters() if p.requires_grad) == graph.params.trainable

    # output shapes: the spec's inferred shapes, as Keras computes them
    inputs = sample_inputs(graph, seed)
    for got, want in zip(keras_outputs(model, loaded, inputs), graph.output_shapes, strict=True):
        assert len(got.shape) == len(want), (got.shape, want)
        for size, expected in zip(got.shape[1:], want[1:], strict=True):
            assert expected is None or size == expected, (got.shape, want)
    return report


def channels_last_twin(spec: dict[str, Any]) -> dict[str, Any]:
    """The same model with every channels_first layer channels_last: inputs with their
    channels moved last, channel axes (-1) in place of axis 1. Same weights, same values
    up to the position of the channel axis."""
    import copy

    twin = copy.deepcopy(spec)
    for entry in twin["config"]["layers"]:
        config = entry["config"]
        if entry["class_name"] == "InputLayer":
            shape = config["batch_shape"]
            config["batch_shape"] = [shape[0], *shape[2:], shape[1]]
        elif config.get("data_format") == "channels_first":
            config["data_format"] = "channels_last"
        elif config.get("axis") == 1 and entry["class_name"] in ("BatchNormalization", "Concatenate"):
            config["axis"] = -1
    return twin


def assert_channels_first_parity(spec: dict[str, Any], layout: str = "torch", seed: int = 0) -> None:
    """The torch module of a spec with channels_first layers against Keras's channels_last
    twin (see test_parity.py for why): same random non-zero weights, every model output
    within the tolerance, counts equal; the weights' round trip is exact."""
    import torch

    from nnspec.compiler.compiled import Compiled
    from nnspec.compiler.parity.check import keras_outputs_of, sample_inputs, torch_inputs
    from nnspec.compiler.weights.links import (
        keras_from_torch_state,
        load_torch_state,
        random_keras_arrays,
        set_keras_arrays,
        torch_state_from_keras,
    )

    compiled = Compiled.of(spec, layout)
    twin = Compiled.of(channels_last_twin(spec))
    compile_sources(compiled.loaded)
    arrays = random_keras_arrays(compiled.declared, seed)
    model = twin.keras_model()
    set_keras_arrays(model, twin.declared, arrays)
    module = compiled.torch_module().eval()
    load_torch_state(module, torch_state_from_keras(arrays, compiled.links))
    back = keras_from_torch_state(module.state_dict(), compiled.links)
    for key, array in arrays.items():
        np.testing.assert_array_equal(back[key], array)
    inputs = sample_inputs(compiled.loaded.graph, seed)
    with torch.no_grad():
        got = keras_outputs_of(compiled.program.top, module(*torch_inputs(compiled.program.top, inputs)))
    twin_inputs = [np.moveaxis(x, 1, -1) for x in inputs]
    want = keras_outputs(model, twin.loaded, twin_inputs)
    for mine, theirs in zip(got, want, strict=True):
        theirs = np.moveaxis(theirs, -1, 1) if theirs.ndim > 2 else theirs
        np.testing.assert_allclose(mine, theirs, atol=TOLERANCE, rtol=0)
    assert model.count_params() == compiled.loaded.graph.params.total
    torch_values = sum(p.numel() for p in module.parameters()) + sum(b.numel() for b in module.buffers())
    assert torch_values == sum(compiled.program.top.torch_values())
