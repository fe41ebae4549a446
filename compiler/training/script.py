"""The generated PyTorch training script: the spec's compile_config and fit_config
as a plain loop (zero_grad, forward, loss, backward, step), with Keras's callbacks."""

from __future__ import annotations

import types
from dataclasses import dataclass
from typing import Any

from ...spec.errors import Problem, SpecError
from ...spec.fit import EarlyStopping
from ..compiled import Compiled
from ..names import identifier, pystr
from ..rules.expr import num
from ..targets.keras_values import changed_fields
from ..targets.loading import load_module
from ..targets.lower import TorchProgram
from ..targets.render import render
from .losses import loss_code, metric_code
from .optimizers import optimizer_code
from .plan import TrainingPlan, training_plan


@dataclass(frozen=True)
class TrainingSource:
    text: str
    plan: TrainingPlan
    class_name: str


def _callback(callback: Any, plan: TrainingPlan) -> str:
    options = changed_fields(callback, skip=("class_name", "verbose", "mode"))
    mode = plan.monitor_mode(callback.monitor, callback.mode)
    rendered = [f"mode={pystr(mode)}"] + [f"{key}={_literal(value)}" for key, value in options.items()]
    name = "EarlyStopping" if isinstance(callback, EarlyStopping) else "ReduceLROnPlateau"
    return f"{name}({', '.join(rendered)})"


def training_source(spec: Any, module: str | None = None) -> TrainingSource:
    """The training script for a spec; it imports the model class from `module`
    (default `<model>_torch`, the file `nnspec generate` writes beside it)."""
    compiled = Compiled.of(spec)
    loaded = compiled.loaded
    plan = training_plan(loaded)
    model = compiled.torch_source
    stem = identifier(loaded.graph.name, "model")
    try:
        loss = loss_code(plan.loss)
        metrics = [metric_code(m, plan.loss, plan.output_units) for m in plan.metrics]
        optimizer = optimizer_code(plan.compile.optimizer)
    except ValueError as exc:
        raise SpecError([Problem("compile_config", str(exc))], loaded.source) from None
    functions = list(dict.fromkeys([loss.source.strip(), *(source.strip() for _, _, source in metrics)]))
    body = "\n".join(functions) + (optimizer.schedule or "")
    fit = plan.fit
    text = render(
        "torch_train.py.j2",
        class_name=model.class_name,
        from_imports=_from_imports(module or f"{stem}_torch", model.class_name),
        script=f"{stem}_train.py",
        model_file=f"{stem}_torch.py",
        weights_name=f"{stem}.pt",
        epochs=fit.epochs,
        batch_size=fit.batch,
        validation_split=num(fit.validation_split),
        shuffle=fit.shuffle,
        seed=fit.seed,
        input_shape=plan.input_shape,
        output_units=plan.output_units,
        sparse_labels=loss.sparse_labels,
        functions=functions,
        loss_function=loss.function,
        metrics="{" + ", ".join(f"{pystr(name)}: {function}" for name, function, _ in metrics) + "}",
        schedule=optimizer.schedule.strip() if optimizer.schedule else None,
        optimizer=optimizer.constructor,
        optimizer_note=_note(plan, optimizer.note),
        weight_decay=num(optimizer.decoupled_weight_decay) if optimizer.decoupled_weight_decay else None,
        clipping=optimizer.clipping,
        callbacks=[_callback(c, plan) for c in fit.callbacks],
        regularization=model.program.top.has("penalties"),
        constraints=model.program.top.has("constraints"),
        input_layout=_input_permutation(model.program),
        uses_math="math." in body,
        uses_functional="F." in body,
    )
    return TrainingSource(text, plan, model.class_name)


def _literal(value: object) -> str:
    if isinstance(value, str):
        return pystr(value)
    return num(value) if isinstance(value, float) else repr(value)


def _from_imports(module: str, class_name: str) -> list[str]:
    """The from-imports in ruff's (isort's) order, with the model's module among them."""
    lines = {
        "torch": "from torch import nn",
        "torch.nn.parallel": "from torch.nn.parallel import DistributedDataParallel",
        "torch.optim": "from torch.optim import Optimizer",
        "torch.utils.data": "from torch.utils.data import DataLoader, DistributedSampler, TensorDataset",
        module: f"from {module} import {class_name}",
    }
    return [lines[name] for name in sorted(lines, key=str.lower)]


def _note(plan: TrainingPlan, note: str) -> str:
    name = type(plan.compile.optimizer).__name__
    return f"Keras's {name}; the torch update is {note}."


def _input_permutation(program: TorchProgram) -> tuple[int, ...] | None:
    """How the script moves Keras-layout samples (N, H, W, C) into the module's input
    layout; None where the module takes them as they are."""
    layout = program.top.arguments[0].layout
    return None if layout.is_keras else layout.perm


def load_training(spec: Any) -> tuple[types.ModuleType, types.ModuleType]:
    """The generated model module and training module, loaded in this process."""
    compiled = Compiled.of(spec)
    model = compiled.torch_source
    model_module = load_module(model.text, "torch_" + model.class_name.lower())
    training = training_source(compiled, module=model_module.__name__)
    return model_module, load_module(training.text, "train_" + model.class_name.lower())
