"""Parity rows of the reshaping family: ZeroPadding1D/2D/3D, Cropping1D/2D/3D,
UpSampling1D/2D/3D, Permute, RepeatVector, and models whose values meet in different
layouts (channels first from a bilinear upsampling, Keras's own, a Permute's relabelling)."""

from __future__ import annotations

from typing import Any

from cases import KindCase

CF = {"data_format": "channels_first"}


def _input(name: str, *shape: int | None) -> dict[str, Any]:
    return {"class_name": "InputLayer", "config": {"name": name, "batch_shape": [None, *shape]}}


def _layer(kind: str, name: str, inputs: Any, **config: Any) -> dict[str, Any]:
    return {"class_name": kind, "config": {"name": name, **config}, "inbound_nodes": [{"inputs": inputs}]}


def _chain(name: str, shape: tuple[int | None, ...], *layers: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    """A functional model: an input, then each (kind, config) called on the previous output."""
    entries, previous = [_input("x", *shape)], "x"
    for i, (kind, config) in enumerate(layers):
        entries.append(_layer(kind, f"{kind.lower()}_{i}", [previous, 0, 0], **config))
        previous = entries[-1]["config"]["name"]
    return {
        "class_name": "Functional",
        "config": {"name": name, "layers": entries, "input_layers": ["x", 0, 0], "output_layers": [previous, 0, 0]},
    }


BILINEAR = {"interpolation": "bilinear"}

# input -> pad -> crop -> bilinear upsampling (channels first) -> Permute((3, 1, 2)) reads
# that as Keras's layout with no data moved -> pad again in Keras's layout
PAD_CROP_UP_PERMUTE = _chain(
    "pad_crop_up_permute",
    (4, 5, 2),
    ("ZeroPadding2D", {"padding": [[1, 0], [0, 2]]}),
    ("Cropping2D", {"cropping": [[0, 1], [1, 0]]}),
    ("UpSampling2D", {"size": [2, 1], **BILINEAR}),
    ("Permute", {"dims": [3, 1, 2]}),
    ("ZeroPadding2D", {"padding": 1}),
)

# a channels-first input feeding Permute((2, 1, 3)) then a layer wanting channels first:
# the Permute swaps H and W in place (x.permute(0, 1, 3, 2)), no other permute
PERMUTE_THEN_BILINEAR = _chain(
    "permute_then_bilinear",
    (3, 4, 2),
    ("Permute", {"dims": [2, 1, 3]}),
    ("UpSampling2D", {"size": 2, **BILINEAR}),
    ("Cropping2D", {"cropping": 1}),
)

# Keras-layout values: Permute((2, 1)) of a sequence is already channels first in torch;
# the Dense after it asks for Keras's layout back
PERMUTE_THEN_DENSE = _chain(
    "permute_then_dense",
    (3, 4),
    ("Permute", {"dims": [2, 1]}),
    ("ZeroPadding1D", {"padding": [0, 1]}),
    ("Dense", {"units": 2}),
)

# a channels-first feature map flattened, then repeated: RepeatVector wants Keras's feature order
FLATTEN_THEN_REPEAT = _chain(
    "flatten_then_repeat",
    (2, 3, 2),
    ("UpSampling2D", {"size": [1, 2], **BILINEAR}),
    ("Flatten", {}),
    ("RepeatVector", {"n": 2}),
    ("Permute", {"dims": [2, 1]}),
)

# Keras's channels_first layers on an N, C, H, W tensor: no permute at all
CHANNELS_FIRST_CHAIN = _chain(
    "channels_first_chain",
    (2, 3, 5),
    ("ZeroPadding2D", {"padding": [[1, 0], [0, 1]], **CF}),
    ("UpSampling2D", {"size": [1, 2], **BILINEAR, **CF}),
    ("Cropping2D", {"cropping": [[0, 1], [2, 1]], **CF}),
    ("UpSampling2D", {"size": [2, 1], **CF}),
    ("Permute", {"dims": [2, 3, 1]}),
    ("ZeroPadding2D", {"padding": [0, 1]}),
)

# two branches of one input meet in an Add: one channels first (bilinear), one a Permute
BRANCHES_MEET = {
    "class_name": "Functional",
    "config": {
        "name": "branches_meet",
        "layers": [
            _input("x", 3, 3, 2),
            _layer("UpSampling2D", "smooth", ["x", 0, 0], size=1, **BILINEAR),
            _layer("Permute", "swap", ["x", 0, 0], dims=[2, 1, 3]),
            _layer("Add", "total", [["smooth", 0, 0], ["swap", 0, 0]]),
            _layer("Cropping2D", "crop", ["total", 0, 0], cropping=[[1, 0], [0, 1]]),
        ],
        "input_layers": ["x", 0, 0],
        "output_layers": ["crop", 0, 0],
    },
}

# Permute feeding layers of the pooling and convolution families (they want channels first)
PERMUTE_THEN_POOL = _chain(
    "permute_then_pool",
    (4, 3, 2),
    ("Permute", {"dims": [2, 1, 3]}),
    ("MaxPooling2D", {"pool_size": 2}),
    ("ZeroPadding2D", {"padding": [[0, 1], [1, 0]]}),
)
CHANNELS_TO_FRONT_THEN_POOL = _chain(
    "channels_to_front_then_pool",
    (3, 4, 4),
    ("Permute", {"dims": [3, 1, 2]}),
    ("MaxPooling2D", {"pool_size": 2}),
)
CONV_PAD_UP_CROP = _chain(
    "conv_pad_up_crop",
    (4, 4, 1),
    ("ZeroPadding2D", {"padding": [[1, 0], [0, 1]]}),
    ("Conv2D", {"filters": 2, "kernel_size": 3}),
    ("UpSampling2D", {"size": [2, 1]}),
    ("Cropping2D", {"cropping": [[1, 1], [0, 1]]}),
    ("Conv2D", {"filters": 1, "kernel_size": 1}),
)

SEQUENTIAL_3D = {
    "class_name": "Sequential",
    "config": {
        "name": "volume",
        "layers": [
            _input("x", 2, 3, 2, 2),
            {"class_name": "ZeroPadding3D", "config": {"name": "pad", "padding": [[1, 0], [0, 2], [1, 1]]}},
            {"class_name": "UpSampling3D", "config": {"name": "up", "size": [1, 2, 1]}},
            {"class_name": "Cropping3D", "config": {"name": "crop", "cropping": [[0, 1], [1, 0], [2, 1]]}},
        ],
    },
}


ROWS: list[KindCase] = [
    # ZeroPadding
    KindCase("ZeroPadding1D", {}, input_shape=(3, 2)),
    KindCase("ZeroPadding1D", {"padding": 2}, input_shape=(3, 2)),
    KindCase("ZeroPadding1D", {"padding": [0, 3]}, input_shape=(3, 2)),
    KindCase("ZeroPadding1D", {"padding": [2, 1], **CF}, input_shape=(2, 3)),
    KindCase("ZeroPadding2D", {}, input_shape=(2, 3, 2)),
    KindCase("ZeroPadding2D", {"padding": 2}, input_shape=(2, 3, 1)),
    KindCase("ZeroPadding2D", {"padding": [1, 2]}, input_shape=(2, 3, 2)),
    KindCase("ZeroPadding2D", {"padding": [[1, 2], [0, 3]]}, input_shape=(2, 3, 2)),
    KindCase("ZeroPadding2D", {"padding": [1, [0, 2]]}, input_shape=(2, 3, 2)),
    KindCase("ZeroPadding2D", {"padding": [[0, 1], [2, 0]], **CF}, input_shape=(2, 3, 2)),
    KindCase("ZeroPadding2D", {"padding": 0}, input_shape=(2, 2, 1)),
    KindCase("ZeroPadding3D", {}, input_shape=(2, 2, 1, 2)),
    KindCase("ZeroPadding3D", {"padding": [[1, 0], [0, 2], [1, 1]]}, input_shape=(2, 2, 1, 2)),
    KindCase("ZeroPadding3D", {"padding": [1, 0, 2], **CF}, input_shape=(2, 2, 1, 2)),
    # Cropping
    KindCase("Cropping1D", {}, input_shape=(4, 2)),
    KindCase("Cropping1D", {"cropping": 2}, input_shape=(5, 2)),
    KindCase("Cropping1D", {"cropping": [0, 2]}, input_shape=(4, 2)),
    KindCase("Cropping1D", {"cropping": [3, 0]}, input_shape=(4, 2)),
    KindCase("Cropping2D", {}, input_shape=(2, 3, 2)),
    KindCase("Cropping2D", {"cropping": 1}, input_shape=(3, 4, 2)),
    KindCase("Cropping2D", {"cropping": [1, 0]}, input_shape=(3, 4, 2)),
    KindCase("Cropping2D", {"cropping": [[1, 0], [2, 1]]}, input_shape=(3, 4, 2)),
    KindCase("Cropping2D", {"cropping": [[0, 2], [0, 1]]}, input_shape=(3, 4, 2)),
    KindCase("Cropping2D", {"cropping": [[1, 0], [0, 2]], **CF}, input_shape=(2, 3, 4)),
    KindCase("Cropping3D", {}, input_shape=(3, 3, 4, 2)),
    KindCase("Cropping3D", {"cropping": [[0, 1], [1, 0], [2, 1]]}, input_shape=(2, 3, 4, 1)),
    KindCase("Cropping3D", {"cropping": [[1, 0], [0, 0], [0, 2]], **CF}, input_shape=(2, 3, 2, 4)),
    # UpSampling
    KindCase("UpSampling1D", {}, input_shape=(3, 2)),
    KindCase("UpSampling1D", {"size": 3}, input_shape=(2, 2)),
    KindCase("UpSampling1D", {"size": 1}, input_shape=(2, 2)),
    KindCase("UpSampling2D", {}, input_shape=(2, 3, 2)),
    KindCase("UpSampling2D", {"size": [2, 3]}, input_shape=(2, 3, 2)),
    KindCase("UpSampling2D", {"size": [1, 2], **CF}, input_shape=(2, 3, 2)),
    KindCase("UpSampling2D", {"size": [2, 3], **BILINEAR}, input_shape=(3, 5, 2)),
    KindCase("UpSampling2D", {"size": [3, 1], **BILINEAR}, input_shape=(3, 5, 1)),
    KindCase("UpSampling2D", {"size": 3, **BILINEAR, **CF}, input_shape=(2, 3, 5)),
    KindCase("UpSampling2D", {"size": [2, 3], "interpolation": "area"}, input_shape=(3, 5, 2)),
    KindCase("UpSampling3D", {}, input_shape=(2, 1, 2, 2)),
    KindCase("UpSampling3D", {"size": [1, 2, 3]}, input_shape=(2, 2, 1, 2)),
    KindCase("UpSampling3D", {"size": [2, 1, 2], **CF}, input_shape=(2, 2, 1, 2)),
    # Permute
    KindCase("Permute", {"dims": [1]}, input_shape=(3,)),
    KindCase("Permute", {"dims": [2, 1]}, input_shape=(3, 4)),
    KindCase("Permute", {"dims": [3, 1, 2]}, input_shape=(2, 3, 4)),
    KindCase("Permute", {"dims": [2, 3, 1]}, input_shape=(2, 3, 4)),
    KindCase("Permute", {"dims": [1, 3, 2]}, input_shape=(2, 3, 4)),
    KindCase("Permute", {"dims": [4, 2, 1, 3]}, input_shape=(2, 3, 1, 2)),
    # RepeatVector
    KindCase("RepeatVector", {"n": 3}, input_shape=(4,)),
    KindCase("RepeatVector", {"n": 1}, input_shape=(2,)),
    # unknown (None) sizes besides the batch
    KindCase("ZeroPadding2D", {"padding": [[1, 0], [0, 2]]}, input_shape=(None, None, 2)),
    # (the generated Keras file builds its model on size 1 for an unknown size: crop known axes only)
    KindCase("Cropping2D", {"cropping": [[1, 0], [0, 0]]}, input_shape=(3, None, 2)),
    KindCase("UpSampling2D", {"size": [2, 3], **BILINEAR}, input_shape=(None, None, 1)),
    KindCase("Permute", {"dims": [2, 1]}, input_shape=(None, 2)),
    # models: layers that take any layout meeting channels-first and relabelled values
    KindCase("ZeroPadding2D", id="model:pad_crop_up_permute", spec=PAD_CROP_UP_PERMUTE),
    KindCase("Permute", id="model:permute_then_bilinear", spec=PERMUTE_THEN_BILINEAR),
    KindCase("Permute", id="model:permute_then_dense", spec=PERMUTE_THEN_DENSE),
    KindCase("RepeatVector", id="model:flatten_then_repeat", spec=FLATTEN_THEN_REPEAT),
    KindCase("UpSampling2D", id="model:channels_first_chain", spec=CHANNELS_FIRST_CHAIN),
    KindCase("Add", id="model:branches_meet", spec=BRANCHES_MEET),
    KindCase("Sequential", id="model:sequential_3d_pad_up_crop", spec=SEQUENTIAL_3D),
    KindCase("Permute", id="model:permute_then_pool", spec=PERMUTE_THEN_POOL),
    KindCase("Permute", id="model:channels_to_front_then_pool", spec=CHANNELS_TO_FRONT_THEN_POOL),
    KindCase("Conv2D", id="model:conv_pad_up_crop", spec=CONV_PAD_UP_CROP),
    # the same models behind Keras's interface (N, H, W, C in and out)
    KindCase("ZeroPadding2D", id="model:pad_crop_up_permute:keras", spec=PAD_CROP_UP_PERMUTE, layout="keras"),
    KindCase("Permute", id="model:permute_then_pool:keras", spec=PERMUTE_THEN_POOL, layout="keras"),
    KindCase("RepeatVector", id="model:flatten_then_repeat:keras", spec=FLATTEN_THEN_REPEAT, layout="keras"),
]
