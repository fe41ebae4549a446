"""torchvision.ops.boxes's names that onnx2torch and nobuco use, and the schema of torch.ops.torchvision.nms,
which nobuco names at import (real torchvision's extension registers it; here it has no kernel)."""

from __future__ import annotations

from typing import Any, NoReturn

import torch

from torchvision.ops._unavailable import unavailable

__all__ = ["batched_nms", "box_convert", "nms"]

if not hasattr(torch.ops.torchvision, "nms"):
    _LIBRARY = torch.library.Library("torchvision", "DEF")
    _LIBRARY.define("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")


def nms(*args: Any, **kwargs: Any) -> NoReturn:
    unavailable("nms")


def batched_nms(*args: Any, **kwargs: Any) -> NoReturn:
    unavailable("batched_nms")


def box_convert(*args: Any, **kwargs: Any) -> NoReturn:
    unavailable("box_convert")


def _upcast(*args: Any, **kwargs: Any) -> NoReturn:
    unavailable("boxes._upcast")
