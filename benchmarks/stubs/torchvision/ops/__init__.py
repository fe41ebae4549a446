"""The torchvision.ops names onnx2torch and nobuco use; each function raises, since this torchvision is a
stand-in, and each class refuses to be built."""

from __future__ import annotations

from typing import Any, NoReturn

from torch import nn

from torchvision.ops import boxes, poolers
from torchvision.ops._unavailable import unavailable
from torchvision.ops.boxes import batched_nms, box_convert, nms

__all__ = ["FrozenBatchNorm2d", "StochasticDepth", "batched_nms", "box_convert", "boxes", "nms", "poolers", "roi_align"]


def roi_align(*args: Any, **kwargs: Any) -> NoReturn:
    unavailable("roi_align")


class StochasticDepth(nn.Module):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        unavailable("StochasticDepth")


class FrozenBatchNorm2d(nn.Module):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        unavailable("FrozenBatchNorm2d")
