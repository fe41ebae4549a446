"""torchvision.transforms.functional: nobuco traces the functions of this module; the stand-in has none."""
