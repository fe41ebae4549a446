"""torchvision.ops.poolers: nobuco traces the functions of this module; the stand-in has none."""
