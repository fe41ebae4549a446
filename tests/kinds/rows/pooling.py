"""Parity rows of the pooling family: every kind, 'valid' and 'same' padding with stride 2
on even and odd sizes (TensorFlow's padding is uneven on some: the extra cell after),
windows unlike their strides, sizes unknown in the spec, both data formats (Keras 3's
TensorFlow backend runs channels_first pooling on CPU by transposing, so those rows
compare directly), the Keras 2 aliases and a tf.keras 2 file that leaves pool_size out."""

from __future__ import annotations

from typing import Any

from cases import KindCase


def _pool(kind: str, shape: tuple[int | None, ...], **config: Any) -> KindCase:
    return KindCase(kind, config, input_shape=shape)


def _windowed(kind: str) -> list[KindCase]:
    """The configs every max and average pooling kind is checked on."""
    rank = int(kind[-2])
    same = {"pool_size": 3, "strides": 2, "padding": "same"}
    if rank == 1:
        return [
            _pool(kind, (5, 2), pool_size=2),
            _pool(kind, (6, 2), **same),  # even: padded (0, 1), the extra cell after
            _pool(kind, (5, 2), **same),  # odd: padded (1, 1)
            _pool(kind, (7, 2), pool_size=3, strides=1),
            _pool(kind, (5, 2), pool_size=2, strides=1, padding="same"),  # stride 1: padded (0, 1)
            _pool(kind, (4, 2), pool_size=2, strides=3, padding="same"),  # stride above the window: (0, 1)
            _pool(kind, (2, 6), pool_size=3, strides=2, padding="same", data_format="channels_first"),
            _pool(kind, (None, 2), pool_size=2, strides=2, padding="same"),  # unknown: pads at run time
        ]
    if rank == 2:
        return [
            _pool(kind, (4, 5, 2), pool_size=2),
            _pool(kind, (6, 4, 2), **same),  # even sizes: (0, 1) on both axes
            _pool(kind, (5, 5, 2), **same),  # odd sizes: (1, 1), torch's own padding
            _pool(kind, (6, 5, 2), **same),  # one uneven axis, one even
            _pool(kind, (5, 6, 2), pool_size=[2, 3], strides=[1, 2]),
            _pool(kind, (4, 5, 2), pool_size=[3, 2], strides=[2, 1], padding="same"),
            _pool(kind, (2, 6, 5), pool_size=3, strides=2, padding="same", data_format="channels_first"),
            _pool(kind, (2, 5, 4), pool_size=2, data_format="channels_first"),
            _pool(kind, (None, None, 2), **same),  # unknown sizes: pads at run time (3 in the test: (1, 1))
            _pool(kind, (None, 4, 2), pool_size=2, strides=2, padding="same"),  # run time: (0, 1) on 3
            _pool(kind, (None, None, 2), pool_size=2, strides=1, padding="same"),  # stride 1: known (0, 1)
        ]
    return [
        _pool(kind, (4, 4, 4, 1), pool_size=2),
        _pool(kind, (3, 4, 3, 1), pool_size=2, strides=2, padding="same"),
        _pool(kind, (3, 3, 3, 1), **same),
        _pool(kind, (2, 3, 3, 1), pool_size=3, strides=1, padding="same"),  # depth below the window
        _pool(kind, (3, 4, 5, 1), pool_size=[1, 2, 3], strides=[1, 2, 2]),
        _pool(kind, (1, 3, 4, 3), pool_size=2, strides=2, padding="same", data_format="channels_first"),
        _pool(kind, (None, 3, 2, 1), pool_size=2, strides=2, padding="same"),
    ]


def _global(kind: str) -> list[KindCase]:
    rank = int(kind[-2])
    spatial = (4, 3, 2)[:rank]
    return [
        _pool(kind, (*spatial, 3)),
        _pool(kind, (*spatial, 3), keepdims=True),
        _pool(kind, (3, *spatial), data_format="channels_first"),
        _pool(kind, (3, *spatial), data_format="channels_first", keepdims=True),
        _pool(kind, (*(None,) * rank, 2)),
    ]


def _layer(kind: str, name: str, inputs: str, **config: Any) -> dict[str, Any]:
    return {"class_name": kind, "config": {"name": name, **config}, "inbound_nodes": [{"inputs": [inputs, 0, 0]}]}


POOLING_CHAIN = {
    # pooled maps stay channels first in torch: the global poolings reduce over dims 2 and 3
    # there, and the keepdims one hands a channels-first map on to the next pooling
    "class_name": "Functional",
    "config": {
        "name": "pooling_chain",
        "layers": [
            {"class_name": "InputLayer", "config": {"name": "image", "batch_shape": [None, 7, 6, 3]}},
            _layer("MaxPooling2D", "max", "image", pool_size=3, strides=2, padding="same"),
            _layer("AveragePooling2D", "avg", "max", pool_size=2, strides=1, padding="same"),
            _layer("GlobalMaxPooling2D", "squeeze", "avg", keepdims=True),
            _layer("GlobalAveragePooling2D", "vector", "avg"),
            _layer("Dense", "score", "vector", units=2),
            _layer("Flatten", "flat", "squeeze"),
        ],
        "input_layers": ["image", 0, 0],
        "output_layers": [["score", 0, 0], ["flat", 0, 0]],
    },
}

KERAS2_POOLING = {
    # tf.keras 2 wrote the Keras 2 names and defaulted every pool_size to 2: a file that
    # leaves it out means 2, where Keras 3 requires it for average pooling
    "class_name": "Sequential",
    "keras_version": "2.15.0",
    "backend": "tensorflow",
    "config": {
        "name": "sequential",
        "layers": [
            {"class_name": "InputLayer", "config": {"name": "x", "batch_input_shape": [None, 6, 4, 2]}},
            {"class_name": "AvgPool2D", "config": {"name": "avg", "padding": "same", "data_format": "channels_last"}},
            {"class_name": "MaxPool2D", "config": {"name": "max", "pool_size": [1, 2], "strides": [1, 1]}},
            {"class_name": "GlobalAvgPool2D", "config": {"name": "mean", "data_format": "channels_last"}},
        ],
    },
}

_KINDS = ("MaxPooling", "AveragePooling")

ROWS: list[KindCase] = [
    *(row for family in _KINDS for rank in (1, 2, 3) for row in _windowed(f"{family}{rank}D")),
    *(row for family in _KINDS for rank in (1, 2, 3) for row in _global(f"Global{family}{rank}D")),
    _pool("MaxPool1D", (4, 2)),
    _pool("AvgPool3D", (2, 2, 2, 1), pool_size=2),
    _pool("GlobalMaxPool1D", (4, 2)),
    _pool("GlobalAvgPool3D", (2, 2, 2, 1), keepdims=True),
    KindCase("MaxPooling2D", id="model:pooling_chain", spec=POOLING_CHAIN),
    KindCase("AveragePooling2D", id="model:keras2_pooling_aliases", spec=KERAS2_POOLING),
]
