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


def assert_parity(spec: Any, training: bool = False, tolerance: float = TOLERANCE, seed: int = 0) -> Any:
    """Run the parity checker on `spec` and check what it reports; returns the report."""
    from nnspec.compiler.parity.check import check_parity, sample_inputs

    loaded = load(spec)
    compile_sources(loaded)
    graph = loaded.graph
    report = check_parity(loaded, tolerance=tolerance, seed=seed, training=training)
    bad = [(r.layer, r.call, r.max_abs, r.keras_params, r.spec_params, r.torch_params) for r in report.rows if not r.ok]
    assert report.passed, (report.problems, bad)
    assert set(report.directions) == {"keras_to_torch", "torch_to_keras"}
    for direction, diff in report.directions.items():
        assert diff <= tolerance, f"{direction}: max difference {diff}"

    # counts: Keras's own, the spec's static count and the per-layer rows agree; torch's
    # own count agrees with what the lowering says the module holds
    assert report.keras_params == report.spec_params == graph.params.total
    from nnspec.compiler.compiled import Compiled

    compiled = Compiled.of(loaded)
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
