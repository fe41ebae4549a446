"""`nnspec generate`: the generated source files of a spec, written all or nothing."""

from __future__ import annotations

import warnings
from pathlib import Path

from ..spec.errors import SpecError
from ..spec.load import LoadedSpec
from .compiled import Compiled
from .names import identifier
from .staging import staged
from .targets.lower import InterfaceLayout
from .training.script import training_source


class NoTrainingScript(UserWarning):
    """The spec has a loss but nnspec's training loop cannot train it (several inputs or
    outputs, a sequence output): the module and the Keras builder are written without it."""


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
            try:
                texts[f"{stem}_train.py"] = training_source(compiled, module=f"{stem}_torch").text
            except SpecError as error:  # several inputs, a sequence output: the model compiles all the same
                reasons = "; ".join(str(problem) for problem in error.problems)
                warnings.warn(f"no {stem}_train.py: {reasons}", NoTrainingScript, stacklevel=2)
    if target in ("keras", "both"):
        texts[f"{stem}_keras.py"] = compiled.keras_source.text
    with staged(directory) as stage:
        for name, text in texts.items():
            stage.write_text(name, text)
    return [directory / name for name in texts]
