"""Dilated transposed convolutions. TensorFlow's CPU kernels refuse them ("Current CPU
implementations do not yet support dilation rates larger than 1"), so the reference is
Keras's undilated transpose with the kernel spread out by hand (zeros between the taps),
which computes the same thing: the torch module of the dilated spec must agree with it."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from cases import KindCase, spec_of

pytestmark = [pytest.mark.keras, pytest.mark.torch]


def _spread(kernel: np.ndarray, dilation: tuple[int, ...]) -> np.ndarray:
    """A (k..., out, in) kernel with dilation - 1 zeros between its taps on each axis."""
    rank = len(dilation)
    size = [(k - 1) * d + 1 for k, d in zip(kernel.shape[:rank], dilation, strict=True)]
    out = np.zeros((*size, *kernel.shape[rank:]), kernel.dtype)
    out[tuple(slice(None, None, d) for d in dilation)] = kernel
    return out


@pytest.mark.parametrize(
    ("kind", "shape", "config"),
    [
        ("Conv2DTranspose", (4, 5, 2), {"filters": 3, "kernel_size": 3, "dilation_rate": 2, "padding": "same"}),
        ("Conv2DTranspose", (4, 4, 2), {"filters": 2, "kernel_size": [2, 3], "dilation_rate": [3, 2]}),
        ("Conv1DTranspose", (5, 2), {"filters": 2, "kernel_size": 3, "dilation_rate": 2, "padding": "same"}),
    ],
)
def test_dilated_transpose_equals_spread_kernel(kind: str, shape: tuple[int, ...], config: dict[str, Any]) -> None:
    import keras
    import torch

    from nnspec.compiler.compiled import Compiled
    from nnspec.compiler.parity.check import keras_outputs_of, sample_inputs, torch_inputs
    from nnspec.compiler.weights.links import load_torch_state, random_keras_arrays, torch_state_from_keras

    compiled = Compiled.of(spec_of(KindCase(kind, config, input_shape=shape)))
    arrays = random_keras_arrays(compiled.declared, seed=0)
    module = compiled.torch_module().eval()
    load_torch_state(module, torch_state_from_keras(arrays, compiled.links))
    inputs = sample_inputs(compiled.loaded.graph, seed=0)
    with torch.no_grad():
        (got,) = keras_outputs_of(compiled.program.top, module(*torch_inputs(compiled.program.top, inputs)))

    rank = len(shape) - 1
    dilation = tuple(
        [config["dilation_rate"]] * rank if isinstance(config["dilation_rate"], int) else config["dilation_rate"]
    )
    kernel = _spread(arrays["layer/kernel"], dilation)
    undilated = {k: v for k, v in config.items() if k != "dilation_rate"} | {"kernel_size": list(kernel.shape[:rank])}
    layer = getattr(keras.layers, kind)(**undilated)
    want = np.asarray(layer(inputs[0]))
    layer.set_weights([kernel, arrays["layer/bias"]])
    want = np.asarray(layer(inputs[0]))
    assert got.shape == want.shape == (len(inputs[0]), *compiled.loaded.graph.output_shapes[0][1:])
    np.testing.assert_allclose(got, want, atol=1e-5, rtol=0)
