"""`nnspec train`, `evaluate` and `predict`: one spec trained in Keras or PyTorch on
the same data split, with history, curves and the trained model saved all or nothing."""

from __future__ import annotations

import math
import sys
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ...spec.load import LoadedSpec, load
from ...spec.write import dump_yaml, to_canonical
from ..compiled import Compiled
from ..names import identifier
from ..staging import staged
from ..targets.loading import one_torch_thread
from .datasets import Dataset, check_validation_split, load_dataset
from .keras_fit import compiled_keras_model, fit_keras
from .plan import TrainingPlan, training_plan
from .plots import plot_history, save_history
from .progress import training_progress
from .script import load_training, training_source

BACKENDS = ("keras", "torch")


@dataclass
class TrainResult:
    backend: str
    history: dict[str, list[float]]
    test: dict[str, float]
    params: int
    files: list[Path] = field(default_factory=list)

    @property
    def curves(self) -> Path:
        return next(p for p in self.files if p.suffix == ".png")


def dataset_for(loaded: LoadedSpec, plan: TrainingPlan, source: str, seed: int = 0) -> Dataset:
    graph = loaded.graph
    return load_dataset(source, graph.input_shapes[0], graph.output_shapes[0], plan.loss.name, seed=seed)


def labels_for(y: np.ndarray, plan: TrainingPlan) -> np.ndarray:
    """Class indices as int64 for sparse losses, float32 targets otherwise."""
    return y.astype(np.int64) if plan.loss.name == "sparse_categorical_crossentropy" else y.astype(np.float32)


def train(
    loaded: LoadedSpec,
    backend: str,
    data: Dataset,
    directory: Path,
    epochs: int | None = None,
    quiet: bool = False,
) -> TrainResult:
    """Train, evaluate on the test split, and write model, spec, history and curves."""
    plan = training_plan(loaded)
    check_validation_split(data, plan.fit.validation_split)
    stem = identifier(loaded.graph.name, "model")
    epochs = epochs or plan.fit.epochs
    train_size = len(data.x_train) - int(len(data.x_train) * plan.fit.validation_split)
    steps = math.ceil(train_size / plan.fit.batch)
    with staged(directory) as stage, training_progress(backend, epochs, steps, quiet) as progress:
        if backend == "keras":
            result = _train_keras(loaded, plan, data, epochs, progress, stage, stem)
        else:
            # TensorFlow's idle thread pools (loaded for the Keras run) slow torch's down
            threads = one_torch_thread() if "tensorflow" in sys.modules else nullcontext()
            with threads:
                result = _train_torch(loaded, plan, data, epochs, progress, stage, stem)
        stage.write_text(f"{stem}.yaml", dump_yaml(to_canonical(loaded.spec)))
        save_history(result.history, stage.path("history.json"))
        plot_history(result.history, stage.path("curves.png"), f"{loaded.graph.name} ({backend})")
        result.files = [stage.final(name) for name in stage.names]
    return result


def _train_keras(loaded, plan, data, epochs, progress, stage, stem) -> TrainResult:  # type: ignore[no-untyped-def]
    y_train, y_test = labels_for(data.y_train, plan), labels_for(data.y_test, plan)
    model, history = fit_keras(loaded, plan, data.x_train, y_train, epochs, progress.on_epoch, progress.on_batch)
    test = model.evaluate(data.x_test, y_test, verbose=0, return_dict=True)
    model.save(str(stage.path(f"{stem}.keras")))
    return TrainResult("keras", history, {k: float(v) for k, v in test.items()}, int(model.count_params()))


def _train_torch(loaded, plan, data, epochs, progress, stage, stem) -> TrainResult:  # type: ignore[no-untyped-def]
    import torch
    from torch.utils.data import DataLoader, TensorDataset

    compiled = Compiled.of(loaded)
    model_module, training = load_training(compiled)
    if plan.fit.seed is not None:
        torch.manual_seed(plan.fit.seed)
    model = getattr(model_module, compiled.torch_source.class_name)()
    y_train, y_test = labels_for(data.y_train, plan), labels_for(data.y_test, plan)
    train_loader, val_loader = training.make_loaders(data.x_train, y_train)
    history = training.train(model, train_loader, val_loader, epochs, progress.on_epoch, progress.on_batch)
    test_set = TensorDataset(training.model_inputs(data.x_test), torch.from_numpy(y_test))
    test = training.evaluate(model, DataLoader(test_set, batch_size=plan.fit.batch))
    torch.save(model.state_dict(), stage.path(f"{stem}.pt"))
    stage.write_text(f"{stem}_torch.py", compiled.torch_source.text)
    stage.write_text(f"{stem}_train.py", training_source(compiled).text)
    params = sum(p.numel() for p in model.parameters())
    return TrainResult("torch", history, test, params)


# -- saved models -------------------------------------------------------------


@dataclass
class SavedModel:
    """A trained model found in a folder that `nnspec train` wrote."""

    loaded: LoadedSpec
    backend: str
    path: Path


def find_saved(path: Path) -> SavedModel:
    """The model in `path` (a folder, or a .keras / .pt file beside its spec .yaml)."""
    folder = path if path.is_dir() else path.parent
    candidates = [path] if path.is_file() else sorted([*folder.glob("*.keras"), *folder.glob("*.pt")])
    if not candidates:
        raise FileNotFoundError(f"{path}: no trained model (.keras or .pt) found")
    model = candidates[0]
    spec = model.with_suffix(".yaml")
    if not spec.is_file():
        raise FileNotFoundError(f"{path}: the spec {spec.name} beside the model is missing")
    return SavedModel(load(spec), "keras" if model.suffix == ".keras" else "torch", model)


def evaluate_saved(saved: SavedModel, data: Dataset) -> dict[str, float]:
    """Test-split loss and metrics of a saved model."""
    plan = training_plan(saved.loaded)
    y_test = labels_for(data.y_test, plan)
    if saved.backend == "keras":
        model = _keras_from_file(saved)
        return {k: float(v) for k, v in model.evaluate(data.x_test, y_test, verbose=0, return_dict=True).items()}
    import torch
    from torch.utils.data import DataLoader, TensorDataset

    model, training = _torch_from_file(saved)
    loader = DataLoader(TensorDataset(training.model_inputs(data.x_test), torch.from_numpy(y_test)), batch_size=256)
    return training.evaluate(model, loader)


def predict_saved(saved: SavedModel, x: np.ndarray) -> np.ndarray:
    if saved.backend == "keras":
        return np.asarray(_keras_from_file(saved).predict(x, verbose=0))

    model, training = _torch_from_file(saved)
    return training.predict(model, training.model_inputs(x)).numpy()


def _keras_from_file(saved: SavedModel) -> Any:
    """Rebuilt from the spec and the file's weights: nothing in the file is run."""
    from ..targets.keras_model import compile_keras

    model = compile_keras(saved.loaded)
    model.load_weights(str(saved.path))
    return compiled_keras_model(saved.loaded, model)


def _torch_from_file(saved: SavedModel) -> tuple[Any, Any]:
    from ..weights.files import read_torch_state

    compiled = Compiled.of(saved.loaded)
    model_module, training = load_training(compiled)
    model = getattr(model_module, compiled.torch_source.class_name)()
    model.load_state_dict(read_torch_state(saved.path))
    return model, training
