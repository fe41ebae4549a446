"""Refusals of the reshaping family: each bad input names its path and says why."""

from __future__ import annotations

from typing import Any

import pytest

import nnspec
from nnspec.spec import SpecError


def _one_layer(kind: str, config: dict[str, Any], shape: tuple[int | None, ...]) -> dict[str, Any]:
    return {
        "class_name": "Functional",
        "config": {
            "name": "m",
            "layers": [
                {"class_name": "InputLayer", "config": {"name": "x", "batch_shape": [None, *shape]}},
                {"class_name": kind, "config": {"name": "l", **config}, "inbound_nodes": [{"inputs": ["x", 0, 0]}]},
            ],
            "input_layers": ["x", 0, 0],
            "output_layers": ["l", 0, 0],
        },
    }


@pytest.mark.parametrize(
    ("kind", "config", "shape", "path", "message"),
    [
        ("ZeroPadding2D", {"padding": [1, 2, 3]}, (3, 4, 2), "config.layers[1].config.padding", "2 entries, each"),
        ("ZeroPadding2D", {"padding": [[1, -2], [0, 3]]}, (3, 4, 2), "config.layers[1].config.padding", ">= 0"),
        ("ZeroPadding1D", {"padding": True}, (3, 2), "config.layers[1].config.padding", "(before, after) pair"),
        ("Cropping3D", {"cropping": [1, 2]}, (3, 3, 3, 2), "config.layers[1].config.cropping", "3 entries"),
        ("Cropping1D", {"data_format": "channels_first"}, (4, 2), "config.layers[1].config.data_format", "unknown"),
        ("UpSampling2D", {"size": [2, 0]}, (3, 4, 2), "config.layers[1].config.size", "2 ints > 0"),
        ("UpSampling2D", {"interpolation": "gaussian"}, (3, 4, 2), "config.layers[1].config.interpolation", "area"),
        ("Permute", {"dims": [0, 1]}, (3, 4), "config.layers[1].config.dims", "each of the axes 1 to 2 once"),
        ("RepeatVector", {}, (4,), "config.layers[1].config.n", "required"),
        ("ZeroPadding2D", {}, (3, 4), "config.layers[1].inbound_nodes[0]", "needs an input of rank 4"),
        ("Cropping2D", {"cropping": [[2, 1], [0, 0]]}, (3, 4, 2), "config.layers[1].inbound_nodes[0]", "at least one"),
        ("Permute", {"dims": [3, 1, 2]}, (3, 4), "config.layers[1].inbound_nodes[0]", "needs an input of rank 4"),
        ("RepeatVector", {"n": 2}, (3, 4), "config.layers[1].inbound_nodes[0]", "rank 2"),
    ],
)
def test_a_bad_reshaping_config_names_its_path(
    kind: str, config: dict[str, Any], shape: tuple[int, ...], path: str, message: str
) -> None:
    with pytest.raises(SpecError) as caught:
        nnspec.load(_one_layer(kind, config, shape))
    assert f"{path}: " in str(caught.value)
    assert message in str(caught.value)


@pytest.mark.torch
@pytest.mark.parametrize(
    ("interpolation", "reason"), [("bicubic", "a = -0.5"), ("lanczos3", "no Lanczos"), ("lanczos5", "no Lanczos")]
)
def test_an_interpolation_torch_cannot_match_is_refused(interpolation: str, reason: str) -> None:
    from nnspec.compiler.targets.torch_module import torch_source

    loaded = nnspec.load(_one_layer("UpSampling2D", {"interpolation": interpolation}, (2, 3, 1)))
    with pytest.raises(SpecError) as caught:
        torch_source(loaded)
    text = str(caught.value)
    assert "config.layers[1].config.interpolation: layer 'l' (UpSampling2D)" in text
    assert f"interpolation={interpolation!r} has no torch equivalent" in text
    assert reason in text
