"""Weight links: Keras arrays -> torch state -> Keras arrays is exact for every
example and fixture; wrong weights are refused with the weight's name and both
shapes; the parity checker takes weights from a built Keras model or a state_dict."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from conftest import EXAMPLES, FIXTURE_FILES, ROOT, VALID_EXAMPLES
from nnspec.compiler.compiled import Compiled
from nnspec.compiler.weights.links import (
    WeightError,
    keras_from_torch_state,
    random_keras_arrays,
    torch_state_from_keras,
)

ALL = [*VALID_EXAMPLES, *FIXTURE_FILES]


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", ALL, ids=_rel)
def test_links_round_trip_exactly(path: Path) -> None:
    compiled = Compiled.of(path)
    loaded, links = compiled.loaded, compiled.links
    arrays = random_keras_arrays(compiled.declared, seed=3)
    assert [link.keras_path for link in links] == [w.path for w in compiled.declared], "one link per declared weight"
    keys = [key for link in links for key in link.torch_keys]
    assert len(set(keys)) == len(keys), "each torch tensor holds one weight (or a part of one)"
    state = torch_state_from_keras(arrays, links)
    for link in links:
        assert all(state[key].shape == link.tensor_shape for key in link.torch_keys)
    back = keras_from_torch_state(state, links)
    assert set(back) == set(arrays)
    for key, array in arrays.items():
        np.testing.assert_array_equal(back[key], array)
    # every weight the spec counts is linked (torch's num_batches_tracked aside)
    assert sum(int(np.prod(link.keras_shape)) for link in links) == loaded.graph.params.total


def _iris() -> Compiled:
    return Compiled.of(EXAMPLES / "iris.yaml")


def test_missing_tensor_is_named() -> None:
    compiled = _iris()
    links = compiled.links
    state = torch_state_from_keras(random_keras_arrays(compiled.declared, 0), links)
    del state[links[0].torch_key]
    with pytest.raises(WeightError, match=links[0].torch_key.replace(".", r"\.")):
        keras_from_torch_state(state, links)


def test_wrong_shape_names_weight_and_both_shapes() -> None:
    compiled = _iris()
    links = compiled.links
    state = torch_state_from_keras(random_keras_arrays(compiled.declared, 0), links)
    key = links[0].torch_key
    state[key] = state[key].T  # a Keras-layout kernel given as the torch weight
    with pytest.raises(WeightError, match=r"hidden_1\.weight: expected shape \(50, 4\), got \(4, 50\)"):
        keras_from_torch_state(state, links)


@pytest.mark.torch
def test_load_torch_state_refuses_unknown_and_misshapen_tensors() -> None:
    import nnspec
    from nnspec.compiler.weights.links import load_torch_state

    module = nnspec.compile_torch(EXAMPLES / "iris.yaml")
    with pytest.raises(WeightError, match=r"no tensor 'nope\.weight'"):
        load_torch_state(module, {"nope.weight": np.zeros((1,), "float32")})
    with pytest.raises(WeightError, match=r"hidden_1\.bias: expected shape \(50,\), got \(49,\)"):
        load_torch_state(module, {"hidden_1.bias": np.zeros((49,), "float32")})


@pytest.mark.keras
@pytest.mark.torch
@pytest.mark.parametrize("stem", ["iris_functional", "mnist_bn", "activations"])
def test_parity_from_given_weights(stem: str) -> None:
    """check_parity with keras_model= (its weights) and with torch_state= (a state_dict)."""
    import keras

    import nnspec
    from nnspec.compiler.parity.check import check_parity

    path = EXAMPLES / f"{stem}.yaml"
    keras.utils.set_random_seed(5)
    model = nnspec.compile_keras(path)
    report = check_parity(path, keras_model=model)
    assert report.passed, report.problems
    module = nnspec.compile_torch(path)
    report = check_parity(path, torch_state=module.state_dict())
    assert report.passed, report.problems
    assert max(report.directions.values()) <= 1e-5


@pytest.mark.keras
@pytest.mark.torch
def test_weights_move_both_ways_between_live_models() -> None:
    import torch

    from nnspec.compiler.weights.links import keras_arrays, keras_to_torch, set_keras_arrays, torch_to_keras

    compiled = Compiled.of(EXAMPLES / "mnist_bn.yaml")
    declared = compiled.declared
    model, module = compiled.keras_model(), compiled.torch_module().eval()
    set_keras_arrays(model, declared, random_keras_arrays(declared, 9))
    keras_to_torch(model, module, compiled)
    x = np.random.default_rng(0).normal(size=(3, 28, 28)).astype("float32")
    with torch.no_grad():
        torch_out = module(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(torch_out, np.asarray(model(x, training=False)), atol=1e-5)
    # and back, into a fresh Keras model
    fresh = compiled.keras_model()
    torch_to_keras(module, fresh, compiled)
    for key, array in keras_arrays(model, declared).items():
        np.testing.assert_array_equal(keras_arrays(fresh, declared)[key], array)
