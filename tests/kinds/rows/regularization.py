"""Parity rows of the regularisation family: every kind in inference (the random ones are
the identity there; their training behaviour is random, see test_dropout.py for how
Dropout's is checked), ActivityRegularization and Identity in training too, and the
spatial dropouts on Keras-layout values and on channels-first feature maps (torch's
nn.Dropout1d/2d/3d)."""

from __future__ import annotations

from typing import Any

from cases import KindCase


def _after_conv(kind: str, rank: int, config: dict[str, Any]) -> KindCase:
    """`kind` on a convolution's output, which the torch module holds channels first."""
    conv = {1: "Conv1D", 2: "Conv2D", 3: "Conv3D"}[rank]
    layers = [
        {"class_name": "InputLayer", "config": {"name": "x", "batch_shape": [None, *([3] * rank), 2]}},
        {"class_name": conv, "config": {"name": "conv", "filters": 2, "kernel_size": 1}},
        {"class_name": kind, "config": {"name": "layer", **config}},
    ]
    spec = {"class_name": "Sequential", "config": {"name": f"{kind.lower()}_conv", "layers": layers}}
    return KindCase(kind, spec=spec, id=f"{kind}:after_{conv}")


ROWS: list[KindCase] = [
    # spatial dropout: identity in inference, whatever the layout
    KindCase("SpatialDropout1D", {"rate": 0.5}, input_shape=(3, 4)),
    KindCase("SpatialDropout2D", {"rate": 0.5}, input_shape=(2, 2, 3)),
    KindCase("SpatialDropout2D", {"rate": 0.2, "data_format": "channels_first"}, input_shape=(3, 2, 2)),
    KindCase("SpatialDropout3D", {"rate": 0.3, "seed": 1}, input_shape=(2, 2, 2, 3)),
    KindCase("SpatialDropout3D", {"rate": 0.3, "data_format": "channels_first"}, input_shape=(3, 2, 2, 2)),
    _after_conv("SpatialDropout1D", 1, {"rate": 0.5}),
    _after_conv("SpatialDropout2D", 2, {"rate": 0.5}),
    _after_conv("SpatialDropout3D", 3, {"rate": 0.5}),
    # noise
    KindCase("GaussianNoise", {"stddev": 0.1}, input_shape=(4,)),
    KindCase("GaussianNoise", {"stddev": 0.0, "seed": 3}, input_shape=(2, 3)),
    KindCase("GaussianDropout", {"rate": 0.2}, input_shape=(4,)),
    KindCase("GaussianDropout", {"rate": 0.0}, input_shape=(2, 3)),
    # deterministic in training too
    KindCase("ActivityRegularization", {"l1": 0.01, "l2": 0.02}, input_shape=(4,)),
    KindCase("ActivityRegularization", {"l2": 0.5}, input_shape=(2, 3), training=True),
    KindCase("ActivityRegularization", {}, input_shape=(4,)),
    KindCase("Identity", {}, input_shape=(4,)),
    KindCase("Identity", {}, input_shape=(2, 3), training=True),
]
