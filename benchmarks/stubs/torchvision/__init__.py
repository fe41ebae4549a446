"""A stand-in for torchvision, for benchmarks/bench_convnets.py only.

onnx2torch imports torchvision at start-up for two converters (NonMaxSuppression and RoiAlign); no
torchvision wheel matches the CPU torch this project pins, and the benchmark's models use neither op.
This package lets onnx2torch import; calling either op raises an error that says why.
"""

from torchvision import ops

__all__ = ["ops"]
__version__ = "0.0.0+nnspec.stub"
