"""`nnspec generate`: the generated source files of a spec, written all or nothing."""

from __future__ import annotations

from pathlib import Path

from ..spec.load import LoadedSpec
from .keras_target import keras_source
from .names import identifier
from .outputs import staged
from .torch_target import torch_source
from .torch_train import training_source


def generate_files(loaded: LoadedSpec, directory: Path, target: str = "both", stem: str | None = None) -> list[Path]:
    """Write `<stem>_torch.py` (and `<stem>_train.py` when the spec can train) and/or
    `<stem>_keras.py` into `directory`."""
    stem = identifier(stem or loaded.graph.name, "model")
    texts = {}
    if target in ("torch", "both"):
        texts[f"{stem}_torch.py"] = torch_source(loaded).text
        config = loaded.spec.compile_config
        if config is not None and config.loss is not None:  # the loop that trains it, too
            texts[f"{stem}_train.py"] = training_source(loaded, module=f"{stem}_torch").text
    if target in ("keras", "both"):
        texts[f"{stem}_keras.py"] = keras_source(loaded).text
    with staged(directory) as stage:
        for name, text in texts.items():
            stage.write_text(name, text)
    return [directory / name for name in texts]
