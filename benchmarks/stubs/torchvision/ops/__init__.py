"""The three torchvision.ops functions onnx2torch names; each raises, since this torchvision is a stand-in."""

from __future__ import annotations

from typing import Any, NoReturn

__all__ = ["box_convert", "nms", "roi_align"]


def _unavailable(name: str) -> NoReturn:
    raise NotImplementedError(
        f"torchvision.ops.{name}: this torchvision is nnspec's benchmark stand-in (benchmarks/stubs/), "
        "which only lets onnx2torch import; a model using NonMaxSuppression or RoiAlign needs real torchvision"
    )


def nms(*args: Any, **kwargs: Any) -> NoReturn:
    _unavailable("nms")


def box_convert(*args: Any, **kwargs: Any) -> NoReturn:
    _unavailable("box_convert")


def roi_align(*args: Any, **kwargs: Any) -> NoReturn:
    _unavailable("roi_align")
