"""A stand-in for torchvision, for the benchmarks' competitors only (benchmarks/bench_convnets.py's onnx2torch,
benchmarks/bench_from_torch.py's nobuco).

Both import torchvision at start-up: onnx2torch for two converters (NonMaxSuppression and RoiAlign), nobuco to
trace and convert a few of its functions and modules. No torchvision wheel in the registry works with the CPU
torch this project pins (the wheels are CUDA builds whose _C.so needs libc10_cuda.so), and the benchmarks' models
use none of it. This package lets both import; calling any of its functions raises an error that says why.
"""

from torchvision import ops, transforms, utils

__all__ = ["ops", "transforms", "utils"]
__version__ = "0.0.0+nnspec.stub"


def _is_tracing() -> bool:
    """torchvision's own check, which nobuco patches when asked to make the module think it is traced."""
    import torch

    return torch._C._get_tracing_state() is not None
