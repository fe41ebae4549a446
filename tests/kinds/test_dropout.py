"""Dropout in training mode, where the two frameworks' masks are random and parity
cannot compare outputs: both drop about `rate` of the values, scale the rest by
1 / (1 - rate), share one draw along the axes a noise_shape sets to 1, and pass
everything through at inference."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from cases import KindCase, spec_of

RATE = 0.3
SHAPE = (64, 8, 32)  # 16,384 values


def _spec(noise_shape: list[int | None] | None) -> dict[str, Any]:
    config: dict[str, Any] = {"rate": RATE}
    if noise_shape is not None:
        config["noise_shape"] = noise_shape
    return spec_of(KindCase("Dropout", config, input_shape=SHAPE[1:]))


def _check(out: np.ndarray, x: np.ndarray, noise_shape: list[int | None] | None, who: str) -> None:
    kept = out != 0
    np.testing.assert_allclose(out[kept], x[kept] / (1 - RATE), rtol=1e-6, err_msg=who)
    dropped = 1 - kept.mean()
    draws = np.prod([n if size is None else size for n, size in zip(SHAPE, noise_shape or SHAPE, strict=True)])
    assert abs(dropped - RATE) < 5 * np.sqrt(RATE * (1 - RATE) / draws), f"{who}: dropped {dropped:.3f}"
    for axis, size in enumerate(noise_shape or []):
        if size == 1:  # one draw along this axis
            assert (kept == kept.take([0], axis=axis)).all(), f"{who}: mask varies along axis {axis}"


NOISE_SHAPES = [None, [None, 1, None], [None, None, 1], [None, 1, 1]]


@pytest.mark.torch
@pytest.mark.parametrize("noise_shape", NOISE_SHAPES, ids=str)
def test_torch_dropout_in_training(noise_shape: list[int | None] | None) -> None:
    import torch

    import nnspec

    module = nnspec.compile_torch(_spec(noise_shape))
    x = torch.rand(SHAPE) + 0.5  # never zero
    torch.manual_seed(0)
    module.train()
    with torch.no_grad():
        out = module(x).numpy()
    _check(out, x.numpy(), noise_shape, "torch")
    module.eval()
    with torch.no_grad():
        torch.testing.assert_close(module(x), x, rtol=0, atol=0)


@pytest.mark.keras
@pytest.mark.parametrize("noise_shape", NOISE_SHAPES, ids=str)
def test_keras_dropout_in_training_behaves_the_same(noise_shape: list[int | None] | None) -> None:
    import keras

    import nnspec

    model = nnspec.compile_keras(_spec(noise_shape))
    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).uniform(0.5, 1.5, SHAPE).astype("float32")
    _check(np.asarray(model(x, training=True)), x, noise_shape, "keras")
    np.testing.assert_array_equal(np.asarray(model(x, training=False)), x)
