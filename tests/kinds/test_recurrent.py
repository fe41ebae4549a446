"""Recurrent layers over a dynamic time axis: one generated module per layer, with random
non-zero weights moved from Keras, computes every output Keras computes at batch 1 and
8 and sequence lengths 1, 7 and 50 (the parity table runs one batch and one length)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from cases import KindCase, spec_of
from parity_helpers import TOLERANCE, keras_outputs

pytestmark = [pytest.mark.keras, pytest.mark.torch]

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _both(spec: Any, seed: int) -> tuple[Any, Any, Any]:
    """The spec compiled, its Keras model and its torch module (eval mode) holding the same
    random non-zero weights."""
    from nnspec.compiler.compiled import Compiled
    from nnspec.compiler.weights.links import (
        load_torch_state,
        random_keras_arrays,
        set_keras_arrays,
        torch_state_from_keras,
    )

    compiled = Compiled.of(spec)
    arrays = random_keras_arrays(compiled.declared, seed)
    model = compiled.keras_model()
    set_keras_arrays(model, compiled.declared, arrays)
    module = compiled.torch_module().eval()
    load_torch_state(module, torch_state_from_keras(arrays, compiled.links))
    return compiled, model, module


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

    from nnspec.compiler.parity.check import keras_outputs_of, torch_inputs

    compiled, model, module = _both(spec_of(KindCase(kind, {"units": 6, **config}, input_shape=(None, 4))), seed=3)
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


def _padded(rng: np.random.Generator, batch: int, steps: int, where: str) -> np.ndarray:
    """Token ids in 1..999 with 0 as padding: at the end, at the start, or in gaps."""
    tokens = rng.integers(1, 1000, size=(batch, steps))
    lengths = rng.integers(1, steps + 1, size=batch)
    for row, length in enumerate(lengths):
        if where == "right":
            tokens[row, length:] = 0
        elif where == "left":
            tokens[row, : steps - length] = 0
        else:
            tokens[row, rng.random(steps) < 0.3] = 0
    return tokens.astype("int32")


def test_the_text_classifier_skips_padding_as_keras_does() -> None:
    """examples/text_classifier.yaml (Embedding with mask_zero, a bidirectional LSTM):
    right-padded, left-padded and gapped batches of 1 and 8 sequences of 1, 7 and 50
    steps, one module, as Keras computes them."""
    import torch

    _, model, module = _both(EXAMPLES / "text_classifier.yaml", seed=5)
    rng = np.random.default_rng(1)
    for where in ("right", "left", "gaps"):
        for batch in (1, 8):
            for steps in (1, 7, 50):
                tokens = _padded(rng, batch, steps, where)
                want = np.asarray(model(tokens, training=False))
                with torch.no_grad():
                    got = module(torch.from_numpy(tokens)).numpy()
                np.testing.assert_allclose(got, want, atol=TOLERANCE, err_msg=f"{where}, batch {batch}, {steps} steps")


def _self_attention(causal: bool) -> dict[str, Any]:
    """MultiHeadAttention of a sequence of any length over itself."""
    node: dict[str, Any] = {"inputs": [["steps", 0, 0], ["steps", 0, 0]]}
    if causal:
        node["kwargs"] = {"use_causal_mask": True}
    return {
        "class_name": "Functional",
        "config": {
            "name": "self_attention",
            "layers": [
                {"class_name": "InputLayer", "config": {"name": "steps", "batch_shape": [None, None, 6]}},
                {
                    "class_name": "MultiHeadAttention",
                    "config": {"name": "attend", "num_heads": 2, "key_dim": 4, "value_dim": 3},
                    "inbound_nodes": [node],
                },
            ],
            "input_layers": ["steps", 0, 0],
            "output_layers": ["attend", 0, 0],
        },
    }


@pytest.mark.parametrize("causal", [False, True], ids=["full", "causal"])
def test_attention_over_every_batch_and_length(causal: bool) -> None:
    """One module of a self-attention, causal or not, at batch 1 and 8 and 1, 7 and 50 steps."""
    import torch

    compiled, model, module = _both(_self_attention(causal), seed=7)
    rng = np.random.default_rng(2)
    for batch in (1, 8):
        for steps in (1, 7, 50):
            x = rng.normal(size=(batch, steps, 6)).astype("float32")
            want = np.asarray(keras_outputs(model, compiled.loaded, [x])[0])
            with torch.no_grad():
                got = module(torch.from_numpy(x)).numpy()
            np.testing.assert_allclose(got, want, atol=TOLERANCE, err_msg=f"batch {batch}, {steps} steps")


def _tokens_into(*layers: dict[str, Any], dtype: str = "int32") -> dict[str, Any]:
    return {
        "class_name": "Sequential",
        "config": {
            "name": "refused",
            "layers": [
                {"class_name": "InputLayer", "config": {"name": "tokens", "batch_shape": [None, 5], "dtype": dtype}},
                *layers,
            ],
        },
    }


EMBED = {"class_name": "Embedding", "config": {"name": "embed", "input_dim": 9, "output_dim": 4, "mask_zero": True}}
INNER = {
    "class_name": "Sequential",
    "config": {
        "name": "inner",
        "layers": [
            {"class_name": "InputLayer", "config": {"name": "steps", "batch_shape": [None, 5, 4]}},
            {"class_name": "LSTM", "config": {"name": "lstm", "units": 2}},
        ],
    },
}
MASKED_CONCAT_ON_STEPS = {
    "class_name": "Functional",
    "config": {
        "name": "refused",
        "layers": [
            {"class_name": "InputLayer", "config": {"name": "tokens", "batch_shape": [None, 5], "dtype": "int32"}},
            {**EMBED, "inbound_nodes": [{"inputs": ["tokens", 0, 0]}]},
            {
                "class_name": "Concatenate",
                "config": {"name": "joined", "axis": 1},
                "inbound_nodes": [{"inputs": [["embed", 0, 0], ["embed", 0, 0]]}],
            },
        ],
        "input_layers": ["tokens", 0, 0],
        "output_layers": ["joined", 0, 0],
    },
}

REFUSED = {
    "integer input into a Dense": (
        _tokens_into({"class_name": "Dense", "config": {"name": "dense", "units": 2}}),
        "config.layers[1]",
        "reads an integer tensor; only an Embedding takes integers",
    ),
    "mask into Softmax": (
        _tokens_into(EMBED, {"class_name": "Softmax", "config": {"name": "softmax"}}),
        "config.layers[2]",
        "Keras uses the mask this layer receives",
    ),
    "mask into a nested model": (
        _tokens_into(EMBED, INNER),
        "config.layers[2]",
        "a Keras mask entering a nested model is not supported yet",
    ),
    "masks concatenated along the steps": (
        MASKED_CONCAT_ON_STEPS,
        "config.layers[2].config.axis",
        "masks concatenated along the steps are not supported yet",
    ),
    "Bidirectional directions of other units": (
        _tokens_into(
            EMBED,
            {
                "class_name": "Bidirectional",
                "config": {
                    "name": "both",
                    "layer": {"class_name": "LSTM", "config": {"name": "lstm", "units": 3}},
                    "backward_layer": {
                        "class_name": "GRU",
                        "config": {"name": "back", "units": 2, "go_backwards": True},
                    },
                },
            },
        ),
        "config.layers[2].config",
        "Keras 3 shapes the output from the forward layer alone",
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_what_nnspec_cannot_compute_is_refused_at_its_path(case: str) -> None:
    """Integers, masks and Bidirectional layers nnspec does not compute as Keras does are
    refused before anything is built, at the layer's path, with the reason."""
    import nnspec
    from nnspec.compiler.targets.torch_module import torch_source

    spec, path, message = REFUSED[case]
    with pytest.raises(nnspec.SpecError) as caught:
        torch_source(nnspec.load(spec))
    found = [p for p in caught.value.problems if message in f"{p.message} {p.expected or ''}"]
    assert found, str(caught.value)
    assert found[0].path == path, str(caught.value)
