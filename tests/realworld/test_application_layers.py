"""keras.applications' own layers, in the model they were made for: ConvNeXtTiny (LayerScale
after every block), saved by Keras as `.keras`, converts to a module that reproduces Keras's
outputs. (InceptionResNetV2's CustomScaleLayer: its counts and shapes are in
test_applications.py, its arithmetic in the parity rows.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from written_module import written_module

from nnspec.compiler.convert import convert_to_torch, keras_file_spec


@pytest.mark.keras
@pytest.mark.torch
def test_convnext_converts_with_keras_outputs(keras: Any, tmp_path: Path) -> None:
    import torch

    keras.utils.set_random_seed(0)
    model = keras.applications.ConvNeXtTiny(weights=None, input_shape=(32, 32, 3), classifier_activation=None)
    rng = np.random.default_rng(0)
    model.set_weights([w + rng.normal(scale=0.02, size=w.shape).astype("float32") for w in model.get_weights()])
    model.save(tmp_path / "convnext.keras")
    x = rng.uniform(0, 255, size=(2, 32, 32, 3)).astype("float32")
    logits = model.predict(x, verbose=0)

    result = convert_to_torch(tmp_path / "convnext.keras", tmp_path / "torch")
    assert result.report is not None and result.report.passed
    loaded = keras_file_spec(tmp_path / "convnext.keras")
    assert loaded.graph.params.total == model.count_params()
    net = written_module(tmp_path / "torch", loaded)
    assert sum(p.numel() for p in net.parameters()) == model.count_params()
    with torch.no_grad():
        out = net(torch.from_numpy(x).permute(0, 3, 1, 2)).numpy()  # the module takes (N, C, H, W)
    assert np.abs(out - logits).max() <= 1e-4 * max(1.0, float(np.abs(logits).max()))
