"""The module `nnspec convert` wrote, imported as a user would, with its `.pt` weights."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any


def written_module(folder: Path, loaded: Any) -> Any:
    """`<model>_torch.py` from `folder`, its class built in eval mode, `<model>.pt` loaded."""
    import torch

    from nnspec.compiler.names import class_name, identifier

    stem = identifier(loaded.graph.name, "model")
    spec = importlib.util.spec_from_file_location(f"{stem}_torch", folder / f"{stem}_torch.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    net = getattr(module, class_name(loaded.graph.name))().eval()
    net.load_state_dict(torch.load(folder / f"{stem}.pt", weights_only=True))
    return net
