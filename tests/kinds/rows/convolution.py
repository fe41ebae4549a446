"""Parity rows of the convolution family: every kind, 'same' padding with stride 2 on even
and odd sizes (TensorFlow pads the extra cell after), dilation, groups, 'causal',
transposes with output_padding, both data formats, unknown spatial sizes, and
Flatten -> Dense after a feature map in both module layouts. (Dilated transposes, which
TensorFlow cannot compute on a CPU, are proven in test_dilated_transpose.py.)"""

from __future__ import annotations

from typing import Any

from cases import KindCase


def _conv(kind: str, shape: tuple[int | None, ...], **config: Any) -> KindCase:
    return KindCase(kind, config, input_shape=shape)


def _flatten_dense(data_format: str, layout: str) -> KindCase:
    """A feature map flattened into a Dense: the Dense kernel's rows are regrouped at
    transfer so that torch flattens channels-first with no permute."""
    image = [None, 5, 4, 3] if data_format == "channels_last" else [None, 3, 5, 4]
    spec = {
        "class_name": "Sequential",
        "config": {
            "name": "flatten_dense",
            "layers": [
                {"class_name": "InputLayer", "config": {"name": "image", "batch_shape": image}},
                {
                    "class_name": "Conv2D",
                    "config": {"name": "conv", "filters": 2, "kernel_size": 3, "data_format": data_format},
                },
                {"class_name": "Flatten", "config": {"name": "flat", "data_format": data_format}},
                {"class_name": "Dropout", "config": {"name": "drop", "rate": 0.5}},
                {"class_name": "Dense", "config": {"name": "out", "units": 3, "activation": "softmax"}},
            ],
        },
    }
    return KindCase("Flatten", spec=spec, layout=layout, id=f"Flatten->Dense[{data_format}]:{layout}")


ROWS: list[KindCase] = [
    # Conv2D
    _conv("Conv2D", (5, 5, 2), filters=3, kernel_size=3),
    _conv("Conv2D", (5, 5, 2), filters=3, kernel_size=3, padding="same", activation="relu"),
    _conv("Conv2D", (8, 8, 2), filters=3, kernel_size=3, strides=2, padding="same"),
    _conv("Conv2D", (9, 9, 2), filters=3, kernel_size=3, strides=2, padding="same"),
    _conv("Conv2D", (8, 7, 2), filters=2, kernel_size=[4, 3], strides=[2, 3], padding="same"),
    _conv("Conv2D", (6, 6, 2), filters=2, kernel_size=2, padding="same", use_bias=False),
    _conv("Conv2D", (9, 9, 2), filters=2, kernel_size=3, dilation_rate=2, padding="same"),
    _conv("Conv2D", (9, 9, 2), filters=2, kernel_size=3, dilation_rate=[2, 1]),
    _conv("Conv2D", (5, 5, 4), filters=6, kernel_size=3, groups=2, padding="same"),
    _conv("Conv2D", (None, None, 2), filters=3, kernel_size=3, strides=2, padding="same"),
    _conv("Conv2D", (2, 5, 5), filters=3, kernel_size=3, strides=2, padding="same", data_format="channels_first"),
    _conv("Conv2D", (2, 5, 5), filters=3, kernel_size=3, data_format="channels_first", activation="tanh"),
    _conv("Conv2D", (5, 5, 2), filters=2, kernel_size=3, activation={"class_name": "PReLU", "config": {"name": "p"}}),
    _conv("Conv2D", (5, 5, 2), filters=2, kernel_size=1, kernel_initializer="orthogonal", bias_initializer="ones"),
    # Conv1D and Conv3D
    _conv("Conv1D", (7, 2), filters=3, kernel_size=3),
    _conv("Conv1D", (7, 2), filters=3, kernel_size=3, padding="causal", dilation_rate=2),
    _conv("Conv1D", (8, 2), filters=3, kernel_size=4, strides=3, padding="same"),
    _conv("Conv1D", (2, 7), filters=3, kernel_size=3, padding="same", data_format="channels_first"),
    _conv("Conv3D", (4, 5, 4, 2), filters=2, kernel_size=3, padding="same"),
    _conv("Conv3D", (5, 4, 4, 2), filters=2, kernel_size=[3, 2, 2], strides=2, padding="same"),
    # transposes
    _conv("Conv2DTranspose", (3, 4, 2), filters=2, kernel_size=3, strides=2),
    _conv("Conv2DTranspose", (3, 4, 2), filters=2, kernel_size=3, strides=2, padding="same"),
    _conv("Conv2DTranspose", (3, 3, 2), filters=2, kernel_size=4, strides=2, padding="same"),
    _conv("Conv2DTranspose", (3, 3, 2), filters=2, kernel_size=3, strides=2, padding="same", output_padding=1),
    _conv("Conv2DTranspose", (3, 3, 2), filters=2, kernel_size=3, strides=3, output_padding=2),
    _conv("Conv2DTranspose", (3, 3, 2), filters=2, kernel_size=1, strides=3),
    _conv("Conv2DTranspose", (2, 3, 3), filters=2, kernel_size=3, strides=2, data_format="channels_first"),
    _conv("Conv1DTranspose", (4, 2), filters=3, kernel_size=5, strides=2, padding="same"),
    _conv("Conv1DTranspose", (4, 2), filters=3, kernel_size=2, strides=2, output_padding=1),
    _conv("Conv3DTranspose", (2, 3, 2, 2), filters=2, kernel_size=3, strides=2, padding="same"),
    # depthwise and separable
    _conv("DepthwiseConv2D", (5, 5, 3), kernel_size=3),
    _conv("DepthwiseConv2D", (6, 6, 3), kernel_size=3, strides=2, padding="same", depth_multiplier=2),
    _conv("DepthwiseConv2D", (7, 7, 2), kernel_size=3, dilation_rate=2, padding="same", use_bias=False),
    _conv("DepthwiseConv2D", (2, 5, 5), kernel_size=3, depth_multiplier=2, data_format="channels_first"),
    _conv("DepthwiseConv1D", (7, 3), kernel_size=3, depth_multiplier=2, padding="same"),
    _conv("SeparableConv2D", (5, 5, 3), filters=4, kernel_size=3, padding="same", depth_multiplier=2),
    _conv("SeparableConv2D", (7, 7, 2), filters=3, kernel_size=3, strides=2, activation="relu"),
    _conv("SeparableConv1D", (7, 3), filters=2, kernel_size=3, use_bias=False),
    # a feature map into a Dense, in both data formats and both module layouts
    _flatten_dense("channels_last", "torch"),
    _flatten_dense("channels_last", "keras"),
    _flatten_dense("channels_first", "torch"),
]

ROWS.append(
    KindCase(
        "Flatten",
        spec={
            "class_name": "Sequential",
            "config": {
                "name": "unknown_size_flatten",
                "layers": [
                    {"class_name": "InputLayer", "config": {"name": "image", "batch_shape": [None, None, None, 3]}},
                    {"class_name": "Conv2D", "config": {"name": "conv", "filters": 2, "kernel_size": 3}},
                    {"class_name": "Flatten", "config": {"name": "flat"}},
                    {"class_name": "Softmax", "config": {"name": "soft"}},
                ],
            },
        },
        id="Flatten[unknown sizes, channels first]",
    )
)
