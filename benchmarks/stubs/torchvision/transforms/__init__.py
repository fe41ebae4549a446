"""torchvision.transforms: nobuco traces the functions of transforms.functional; the stand-in has none."""

from torchvision.transforms import functional

__all__ = ["functional"]
