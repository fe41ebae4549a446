"""Issue 12, "No input breaks nnspec": every example and JSON fixture, mutated where a spec
means something (tests/mutation_harness.py says how), either raises a SpecError whose
every problem has a path, or generates Keras and PyTorch source that compiles, and a torch
module that builds. benchmarks/bench_mutations.py runs the same harness 10,000 times."""

from __future__ import annotations

import copy
import math

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from mutation_harness import REFUSED_FIXTURES, HypothesisChooser, base_documents, base_paths, check, mutate, read

from nnspec.spec import SpecError, load_data

pytestmark = pytest.mark.torch

BASE = base_documents()
NAMES = sorted(BASE)


def test_every_base_document_builds() -> None:
    """The mutations start from specs that build; those refused by design stay refused."""
    assert len(NAMES) > 100
    for name in NAMES:
        assert check(copy.deepcopy(BASE[name])).outcome == "built", name
    paths = base_paths()
    for name in sorted(REFUSED_FIXTURES):
        with pytest.raises(SpecError):
            load_data(read(paths[name]))


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_mutated_specs_refuse_with_a_path_or_build(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(NAMES), label="base")
    doc = copy.deepcopy(BASE[name])
    pick = HypothesisChooser(data)
    for what in mutate(doc, pick, data.draw(st.integers(1, 3), label="mutations")):
        note(what)
    check(doc)


# -- what the harness found in the compiler ------------------------------------------------


def _dense(**config: object) -> dict:
    layers = [
        {"class_name": "InputLayer", "config": {"name": "x", "batch_shape": [None, 4]}},
        {"class_name": "Dense", "config": {"name": "d", "units": 3, **config}},
    ]
    return {"class_name": "Sequential", "config": {"name": "m", "layers": layers}}


def test_truncated_normal_of_no_spread_draws_its_mean() -> None:
    """Keras accepts stddev 0 (every value the mean); torch's trunc_normal_ divides by it."""
    import nnspec

    init = {"class_name": "TruncatedNormal", "config": {"mean": 0.5, "stddev": 0.0}}
    module = nnspec.compile_torch(load_data(_dense(kernel_initializer=init)))
    assert (module.d.weight == 0.5).all()


def test_huge_spread_puts_infinite_bounds_in_code_that_runs() -> None:
    """mean +- 2 * 1e308 is +-inf: written float("inf"), not the undefined name inf."""
    import nnspec

    init = {"class_name": "TruncatedNormal", "config": {"stddev": 1e308}}
    source = nnspec.compiler.compiled.Compiled.of(load_data(_dense(kernel_initializer=init))).torch_source.text
    assert 'float("-inf")' in source
    check(_dense(kernel_initializer=init))


def test_keras_source_writes_infinite_constants_as_floats() -> None:
    """An operation's array constant holding -inf: `[-inf]` in the Keras source was a NameError."""
    from nnspec.compiler.compiled import Compiled

    tensor = {"class_name": "__keras_tensor__", "config": {"shape": [None, 2], "keras_history": ["x", 0, 0]}}
    constant = {"class_name": "__numpy__", "config": {"value": [0.0, -math.inf], "dtype": "float32"}}
    node = {"args": [tensor, constant], "kwargs": {}}
    layers = [
        {"class_name": "InputLayer", "config": {"name": "x", "batch_shape": [None, 2]}, "name": "x"},
        {"module": "keras.src.ops.numpy", "class_name": "Maximum", "config": {"name": "mx"}, "inbound_nodes": [node]},
    ]
    config = {"name": "m", "layers": layers, "input_layers": [["x", 0, 0]], "output_layers": [["mx", 0, 0]]}
    compiled = Compiled.of(load_data({"class_name": "Functional", "config": config}))
    assert 'float("-inf")' in compiled.keras_source.text or "float('-inf')" in compiled.keras_source.text
    check({"class_name": "Functional", "config": config})


def test_generate_writes_the_model_of_a_spec_its_loop_cannot_train(tmp_path) -> None:
    """A two-input model with a loss: `nnspec generate` failed outright, for want of a training script."""
    from mutation_harness import ROOT

    from nnspec.compiler.generate import NoTrainingScript, generate_files

    loaded = load_data(read(ROOT / "tests" / "fixtures" / "keras3" / "merges.json"))
    with pytest.warns(NoTrainingScript, match="one input"):
        written = generate_files(loaded, tmp_path, stem="merges")
    assert [p.name for p in written] == ["merges_torch.py", "merges_keras.py"]
