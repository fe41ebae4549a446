"""`nnspec generate`: the generated source files of a spec, written all or nothing."""

from __future__ import annotations

from pathlib import Path

from ..spec.load import LoadedSpec
from .compiled import Compiled
from .names import identifier
from .staging import staged
from .targets.lower import InterfaceLayout
from .training.script import training_source


def generate_files(
    loaded: LoadedSpec,
    directory: Path,
    target: str = "both",
    stem: str | None = None,
    layout: InterfaceLayout = "torch",
) -> list[Path]:
    """Write `<stem>_torch.py` (and `<stem>_train.py` when the spec can train) and/or
    `<stem>_keras.py` into `directory`."""
    compiled = Compiled.of(loaded, layout)
    stem = identifier(stem or loaded.graph.name, "model")
    texts = {}
    if target in ("torch", "both"):
        texts[f"{stem}_torch.py"] = compiled.torch_source.text
        config = loaded.spec.compile_config
        if config is not None and config.loss is not None:  # the loop that trains it, too
            texts[f"{stem}_train.py"] = training_source(compiled, module=f"{stem}_torch").text
    if target in ("keras", "both"):
        texts[f"{stem}_keras.py"] = compiled.keras_source.text
    with staged(directory) as stage:
        for name, text in texts.items():
            stage.write_text(name, text)
    return [directory / name for name in texts]
