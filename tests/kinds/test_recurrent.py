"""Recurrent layers over a dynamic time axis: one generated module per layer, with random
non-zero weights moved from Keras, computes every output Keras computes at batch 1 and
8 and sequence lengths 1, 7 and 50 (the parity table runs one batch and one length)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from cases import KindCase, spec_of
from parity_helpers import TOLERANCE, keras_outputs

pytestmark = [pytest.mark.keras, pytest.mark.torch]

LAYERS = [
    ("SimpleRNN", {}),
    ("SimpleRNN", {"activation": "sigmoid", "go_backwards": True}),
    ("LSTM", {"return_sequences": True}),
    ("LSTM", {"recurrent_activation": "hard_sigmoid", "go_backwards": True}),
    ("GRU", {"return_sequences": True, "go_backwards": True}),
    ("GRU", {"reset_after": False}),
]


@pytest.mark.parametrize(("kind", "config"), LAYERS, ids=[f"{k}{c}" for k, c in LAYERS])
def test_one_module_for_every_batch_and_length(kind: str, config: dict[str, Any]) -> None:
    import torch

    from nnspec.compiler.compiled import Compiled
    from nnspec.compiler.parity.check import keras_outputs_of, torch_inputs
    from nnspec.compiler.weights.links import (
        load_torch_state,
        random_keras_arrays,
        set_keras_arrays,
        torch_state_from_keras,
    )

    compiled = Compiled.of(spec_of(KindCase(kind, {"units": 6, **config}, input_shape=(None, 4))))
    arrays = random_keras_arrays(compiled.declared, seed=3)
    model = compiled.keras_model()
    set_keras_arrays(model, compiled.declared, arrays)
    module = compiled.torch_module().eval()
    load_torch_state(module, torch_state_from_keras(arrays, compiled.links))
    rng = np.random.default_rng(0)
    for batch in (1, 8):
        for steps in (1, 7, 50):
            x = rng.normal(size=(batch, steps, 4)).astype("float32")
            (want,) = keras_outputs(model, compiled.loaded, [x])
            with torch.no_grad():
                (got,) = keras_outputs_of(compiled.program.top, module(*torch_inputs(compiled.program.top, [x])))
            assert got.shape == want.shape
            np.testing.assert_allclose(
                got, want, atol=TOLERANCE, rtol=TOLERANCE, err_msg=f"batch {batch}, {steps} steps"
            )
