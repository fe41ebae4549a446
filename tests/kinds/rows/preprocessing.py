"""Parity rows of the preprocessing family: Rescaling with numbers and arrays, Normalization
adapted (weights mean, variance, count) along the last axis, a middle axis, several axes
and none, inverted, and with the statistics given in the config; each on a Keras-layout
value, a channels-first feature map (after a convolution) and a flattened one."""

from __future__ import annotations

from typing import Any

from cases import KindCase


def _after_conv(kind: str, config: dict[str, Any], flatten: bool = False, tag: str = "") -> KindCase:
    """`kind` on a convolution's output, which the torch module holds channels first
    (with Flatten between: a feature vector in torch's order)."""
    layers: list[dict[str, Any]] = [
        {"class_name": "InputLayer", "config": {"name": "image", "batch_shape": [None, 3, 2, 2]}},
        {"class_name": "Conv2D", "config": {"name": "conv", "filters": 3, "kernel_size": 1}},
    ]
    if flatten:
        layers.append({"class_name": "Flatten", "config": {"name": "flat"}})
    layers.append({"class_name": kind, "config": {"name": "layer", **config}})
    where = "flattened" if flatten else "conv"
    spec = {"class_name": "Sequential", "config": {"name": f"{kind.lower()}_{where}", "layers": layers}}
    return KindCase(kind, spec=spec, id=f"{kind}[{tag}]:after_{where}")


CHANNELS = [0.5, 2.0, -1.0]
FEATURES = [round(0.1 * (i - 9), 1) for i in range(18)]  # one per feature of the 3x2x3 map

ROWS: list[KindCase] = [
    # Rescaling
    KindCase("Rescaling", {"scale": 0.5}, input_shape=(4,)),
    KindCase("Rescaling", {"scale": 1 / 255, "offset": -1.0}, input_shape=(2, 3)),
    KindCase("Rescaling", {"scale": 2.0, "offset": 0.5}, input_shape=(3,), training=True),
    KindCase("Rescaling", {"scale": CHANNELS, "offset": [0.1, 0.0, -0.2]}, input_shape=(2, 2, 3)),
    KindCase("Rescaling", {"scale": [[0.5], [2.0]], "offset": 1.0}, input_shape=(2, 3)),
    KindCase(
        "Rescaling",
        {"scale": {"class_name": "__numpy__", "config": {"value": CHANNELS, "dtype": "float32"}}},
        input_shape=(3,),
        id="Rescaling[scale=numpy array](3)",
    ),
    _after_conv("Rescaling", {"scale": CHANNELS, "offset": 0.25}, tag="per channel"),
    _after_conv("Rescaling", {"scale": [[2.0], [0.5]], "offset": CHANNELS}, tag="per column and channel"),
    _after_conv("Rescaling", {"scale": FEATURES}, flatten=True, tag="per feature"),
    # Normalization, adapted: weights
    KindCase("Normalization", {}, input_shape=(3,)),
    KindCase("Normalization", {"axis": [-1]}, input_shape=(2, 3)),
    KindCase("Normalization", {"axis": 1}, input_shape=(3, 2)),
    KindCase("Normalization", {"axis": [1, 2]}, input_shape=(2, 3, 2)),
    KindCase("Normalization", {"axis": None}, input_shape=(2, 3)),
    KindCase("Normalization", {"invert": True}, input_shape=(3,)),
    KindCase("Normalization", {"axis": 1, "invert": True}, input_shape=(3, 2)),
    KindCase("Normalization", {}, input_shape=(3,), training=True),
    KindCase("Normalization", {"trainable": False}, input_shape=(3,)),
    _after_conv("Normalization", {}, tag="axis=-1"),
    _after_conv("Normalization", {"axis": [1, 3]}, tag="axis=[1, 3]"),
    _after_conv("Normalization", {}, flatten=True, tag="axis=-1"),
    # Normalization, statistics given: constants
    KindCase("Normalization", {"mean": [1.0, -2.0, 0.5], "variance": [1.0, 4.0, 0.25]}, input_shape=(3,)),
    KindCase("Normalization", {"mean": 2.0, "variance": 0.5, "axis": None}, input_shape=(2, 3)),
    KindCase("Normalization", {"mean": 2.0, "variance": 0.5}, input_shape=(2, 3)),
    KindCase(
        "Normalization",
        {"axis": [1, 2], "mean": [0.5, -0.5, 1.0], "variance": [2.0, 1.0, 0.5], "invert": True},
        input_shape=(2, 3),
    ),
    KindCase("Normalization", {"mean": [1.0, 2.0], "variance": [1.0, 9.0]}, input_shape=(2,), training=True),
    _after_conv("Normalization", {"mean": CHANNELS, "variance": [1.0, 2.0, 3.0]}, tag="given"),
    _after_conv(
        "Normalization", {"mean": FEATURES, "variance": [0.5 + i / 16 for i in range(18)]}, flatten=True, tag="given"
    ),
]
