"""Parity rows of keras.applications' own layers: LayerScale on a feature vector, on a
sequence, and on a channels-first feature map (gamma viewed as (C, 1, 1)); CustomScaleLayer
on vectors and on two feature maps."""

from __future__ import annotations

from typing import Any

from cases import KindCase


def _after_convolutions(name: str, *layers: dict[str, Any]) -> dict[str, Any]:
    """A 6x6x3 image through two 4-filter convolutions, then `layers`: what reaches them
    is channels-first in the torch module."""
    return {
        "class_name": "Sequential",
        "config": {
            "name": name,
            "layers": [
                {"class_name": "InputLayer", "config": {"name": "image", "batch_shape": [None, 6, 6, 3]}},
                {"class_name": "Conv2D", "config": {"name": "conv", "filters": 4, "kernel_size": 3}},
                *layers,
            ],
        },
    }


LAYER_SCALE_MAP = _after_convolutions(
    "layer_scale_map",
    {"class_name": "LayerScale", "config": {"name": "scale", "init_values": 0.1, "projection_dim": 4}},
    {"class_name": "Conv2D", "config": {"name": "after", "filters": 2, "kernel_size": 1}},
)

CUSTOM_SCALE_MAPS = {
    "class_name": "Functional",
    "config": {
        "name": "custom_scale_maps",
        "layers": [
            {"class_name": "InputLayer", "config": {"name": "image", "batch_shape": [None, 6, 6, 3]}},
            {"class_name": "Conv2D", "config": {"name": "trunk", "filters": 4, "kernel_size": 3}, "inputs": "image"},
            {
                "class_name": "Conv2D",
                "config": {"name": "branch", "filters": 4, "kernel_size": 1, "activation": "relu"},
                "inputs": "trunk",
            },
            {"class_name": "CustomScaleLayer", "config": {"name": "sum", "scale": 0.17}, "inputs": ["trunk", "branch"]},
        ],
        "input_layers": "image",
        "output_layers": "sum",
    },
}

ROWS = [
    KindCase("LayerScale", {"init_values": 0.5, "projection_dim": 3}, input_shape=(3,)),
    KindCase("LayerScale", {"init_values": 1e-6, "projection_dim": 4}, input_shape=(5, 4)),
    KindCase("LayerScale", spec=LAYER_SCALE_MAP, id="Conv2D->LayerScale->Conv2D"),
    KindCase("LayerScale", spec=LAYER_SCALE_MAP, layout="keras", id="Conv2D->LayerScale->Conv2D:keras"),
    KindCase("CustomScaleLayer", {"scale": 0.17}, input_shapes=((4,), (4,))),
    KindCase("CustomScaleLayer", spec=CUSTOM_SCALE_MAPS, id="Conv2D+Conv2D->CustomScaleLayer"),
]
