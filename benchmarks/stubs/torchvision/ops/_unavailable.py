"""The error every name of the stand-in raises."""

from typing import NoReturn


def unavailable(name: str) -> NoReturn:
    raise NotImplementedError(
        f"torchvision.ops.{name}: this torchvision is nnspec's benchmark stand-in (benchmarks/stubs/), which only "
        "lets onnx2torch and nobuco import; a model using torchvision's operations needs real torchvision"
    )
