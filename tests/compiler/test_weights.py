"""Weight links: Keras arrays -> torch state -> Keras arrays is exact for every
example and fixture; wrong weights are refused with the weight's name and both
shapes; the parity checker takes weights from a built Keras model or a state_dict."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from conftest import EXAMPLES, FIXTURE_FILES, ROOT, VALID_EXAMPLES
from nnspec.compiler.parity import random_keras_arrays
from nnspec.compiler.torch_target import torch_source
from nnspec.compiler.weights import WeightError, keras_from_torch_state, torch_state_from_keras, weight_links

ALL = [*VALID_EXAMPLES, *FIXTURE_FILES]


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", ALL, ids=_rel)
def test_links_round_trip_exactly(path: Path) -> None:
    import nnspec

    loaded = nnspec.load(path)
    links = weight_links(torch_source(loaded).program)
    arrays = random_keras_arrays(links, seed=3)
    assert len({link.keras_path for link in links}) == len(links), "one link per Keras weight"
    assert len({link.torch_key for link in links}) == len(links), "one link per torch tensor"
    state = torch_state_from_keras(arrays, links)
    for link in links:
        assert state[link.torch_key].shape == (
            link.keras_shape[::-1] if link.layout == "transpose" else link.keras_shape
        )
    back = keras_from_torch_state(state, links)
    assert set(back) == set(arrays)
    for key, array in arrays.items():
        np.testing.assert_array_equal(back[key], array)
    # every weight the spec counts is linked (torch's num_batches_tracked aside)
    assert sum(int(np.prod(link.keras_shape)) for link in links) == loaded.graph.params.total


def _iris_links() -> list:
    return weight_links(torch_source(EXAMPLES / "iris.yaml").program)


def test_missing_tensor_is_named() -> None:
    links = _iris_links()
    state = torch_state_from_keras(random_keras_arrays(links, 0), links)
    del state[links[0].torch_key]
    with pytest.raises(WeightError, match=links[0].torch_key.replace(".", r"\.")):
        keras_from_torch_state(state, links)


def test_wrong_shape_names_weight_and_both_shapes() -> None:
    links = _iris_links()
    state = torch_state_from_keras(random_keras_arrays(links, 0), links)
    key = links[0].torch_key
    state[key] = state[key].T  # a Keras-layout kernel given as the torch weight
    with pytest.raises(WeightError, match=r"hidden_1\.weight: expected shape \(50, 4\), got \(4, 50\)"):
        keras_from_torch_state(state, links)


@pytest.mark.torch
def test_load_torch_state_refuses_unknown_and_misshapen_tensors() -> None:
    import nnspec
    from nnspec.compiler.weights import load_torch_state

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
    from nnspec.compiler.parity import check_parity

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

    import nnspec
    from nnspec.compiler.weights import keras_arrays, keras_to_torch, set_keras_arrays, torch_to_keras

    loaded = nnspec.load(EXAMPLES / "mnist_bn.yaml")
    program = torch_source(loaded).program
    links = weight_links(program)
    model, module = nnspec.compile_keras(loaded), nnspec.compile_torch(loaded).eval()
    set_keras_arrays(model, links, random_keras_arrays(links, 9))
    keras_to_torch(model, module, program)
    x = np.random.default_rng(0).normal(size=(3, 28, 28)).astype("float32")
    with torch.no_grad():
        torch_out = module(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(torch_out, np.asarray(model(x, training=False)), atol=1e-5)
    # and back, into a fresh Keras model
    fresh = nnspec.compile_keras(loaded)
    torch_to_keras(module, fresh, program)
    for key, array in keras_arrays(model, links).items():
        np.testing.assert_array_equal(keras_arrays(fresh, links)[key], array)
