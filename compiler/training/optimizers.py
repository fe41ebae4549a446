"""Keras optimizers and learning-rate schedules as torch code.

Each Keras optimizer maps to the torch optimizer that runs the same update; where
the two place epsilon differently the mapping cannot be exact, and `note` says so
(see CONVERSION_NOTES.md). Keras 3 decays weights decoupled (w -= lr * wd * w,
before the step) in every optimizer; torch does that only in AdamW, so for the
others the generated loop applies the decay itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ...spec import training as kt
from ..rules.expr import num


@dataclass
class OptimizerCode:
    constructor: str
    """`torch.optim.X(params, ...)`, with `params` standing for the parameters."""
    note: str = ""
    decoupled_weight_decay: float | None = None
    """Applied by the loop before each step (Keras semantics)."""
    clipping: list[str] = field(default_factory=list)
    """Statements run between backward() and step(), on `params`."""
    schedule: str | None = None
    """Source of `def learning_rate(step: int) -> float`, when the rate follows a schedule."""
    initial_lr: float = 0.001


def _kwargs(**options: object) -> str:
    return ", ".join(f"{k}={v}" for k, v in options.items())


def _sgd(o: kt.SGD, lr: str) -> tuple[str, str]:
    extra = f", momentum={num(o.momentum)}" if o.momentum else ""
    extra += ", nesterov=True" if o.nesterov else ""
    return f"torch.optim.SGD(params, lr={lr}{extra})", "exact: Keras's velocity is -lr times torch's buffer"


def _rmsprop(o: kt.RMSprop, lr: str) -> tuple[str, str]:
    options = _kwargs(lr=lr, alpha=num(o.rho), eps=num(o.epsilon))
    options += f", momentum={num(o.momentum)}" if o.momentum else ""
    options += ", centered=True" if o.centered else ""
    return f"torch.optim.RMSprop(params, {options})", (
        "close, not exact: Keras adds epsilon inside the square root, torch outside; "
        "the difference matters only while squared gradients are near epsilon"
    )


def _adagrad(o: kt.Adagrad, lr: str) -> tuple[str, str]:
    options = _kwargs(lr=lr, initial_accumulator_value=num(o.initial_accumulator_value), eps=num(o.epsilon))
    return f"torch.optim.Adagrad(params, {options})", (
        "close: same accumulator start; Keras adds epsilon inside the square root, torch outside"
    )


def _adadelta(o: kt.Adadelta, lr: str) -> tuple[str, str]:
    return f"torch.optim.Adadelta(params, {_kwargs(lr=lr, rho=num(o.rho), eps=num(o.epsilon))})", "exact update rule"


def _adam(o: kt.Adam | kt.AdamW, lr: str, name: str = "Adam") -> tuple[str, str]:
    options = _kwargs(lr=lr, betas=f"({num(o.beta_1)}, {num(o.beta_2)})", eps=num(o.epsilon))
    if isinstance(o, kt.AdamW):
        options += f", weight_decay={num(o.weight_decay or 0.0)}"
    options += ", amsgrad=True" if o.amsgrad else ""
    return f"torch.optim.{name}(params, {options})", (
        "close, not exact: Keras adds epsilon to sqrt(v) before bias correction, torch after, "
        "so Keras's effective epsilon is eps * sqrt(1 - beta_2^t)"
    )


def _adamax(o: kt.Adamax, lr: str) -> tuple[str, str]:
    options = _kwargs(lr=lr, betas=f"({num(o.beta_1)}, {num(o.beta_2)})", eps=num(o.epsilon))
    return f"torch.optim.Adamax(params, {options})", (
        "close: Keras adds epsilon after the running maximum, torch inside it"
    )


def _nadam(o: kt.Nadam, lr: str) -> tuple[str, str]:
    options = _kwargs(lr=lr, betas=f"({num(o.beta_1)}, {num(o.beta_2)})", eps=num(o.epsilon), momentum_decay="1.0")
    return f"torch.optim.NAdam(params, {options})", (
        "exact update rule: Keras's momentum schedule 0.96^t is torch's with momentum_decay=1.0"
    )


_RULES: dict[type, Callable[[Any, str], tuple[str, str]]] = {
    kt.SGD: _sgd,
    kt.RMSprop: _rmsprop,
    kt.Adagrad: _adagrad,
    kt.Adadelta: _adadelta,
    kt.Adam: _adam,
    kt.AdamW: lambda o, lr: _adam(o, lr, "AdamW"),
    kt.Adamax: _adamax,
    kt.Nadam: _nadam,
}
"""Each Keras optimizer class -> (torch constructor, how exact the mapping is)."""


def optimizer_code(optimizer: object) -> OptimizerCode:
    rate = optimizer.learning_rate  # type: ignore[attr-defined]
    schedule = None if isinstance(rate, float | int) else schedule_source(rate)
    initial = float(rate) if isinstance(rate, float | int) else _initial_rate(rate)
    lr = num(initial)
    rule = _RULES.get(type(optimizer))
    if rule is None:
        raise ValueError(f"optimizer {type(optimizer).__name__} has no torch rule")
    constructor, note = rule(optimizer, lr)
    code = OptimizerCode(constructor, note, schedule=schedule, initial_lr=initial)
    decay = optimizer.weight_decay  # type: ignore[attr-defined]
    if decay and not isinstance(optimizer, kt.AdamW):
        code.decoupled_weight_decay = decay
    if optimizer.clipvalue:  # type: ignore[attr-defined]
        code.clipping.append(f"nn.utils.clip_grad_value_(params, {num(optimizer.clipvalue)})")  # type: ignore[attr-defined]
    if optimizer.clipnorm:  # type: ignore[attr-defined]
        code.clipping.append(  # Keras clips each gradient by its own norm
            f"for p in params:\n    nn.utils.clip_grad_norm_(p, {num(optimizer.clipnorm)})"  # type: ignore[attr-defined]
        )
    if optimizer.global_clipnorm:  # type: ignore[attr-defined]
        code.clipping.append(f"nn.utils.clip_grad_norm_(params, {num(optimizer.global_clipnorm)})")  # type: ignore[attr-defined]
    return code


def _initial_rate(schedule: object) -> float:
    if isinstance(schedule, kt.PiecewiseConstantDecay):
        return schedule.values[0]
    return schedule.initial_learning_rate  # type: ignore[attr-defined]


def schedule_source(schedule: object) -> str:
    """`def learning_rate(step)`: the Keras schedule's rate at optimizer step `step` (from 0)."""
    head = (
        "def learning_rate(step: int) -> float:\n"
        '    """The rate of optimizer step `step` (from 0), as the Keras schedule gives it."""\n'
    )
    if isinstance(schedule, kt.ExponentialDecay):
        power = f"step // {schedule.decay_steps}" if schedule.staircase else f"step / {schedule.decay_steps}"
        return head + f"    return {num(schedule.initial_learning_rate)} * {num(schedule.decay_rate)} ** ({power})\n"
    if isinstance(schedule, kt.PiecewiseConstantDecay):
        body = "".join(
            f"    if step <= {b}:\n        return {num(v)}\n"
            for b, v in zip(schedule.boundaries, schedule.values, strict=False)
        )
        return head + body + f"    return {num(schedule.values[-1])}\n"
    if isinstance(schedule, kt.CosineDecay):
        initial, steps, alpha = num(schedule.initial_learning_rate), schedule.decay_steps, num(schedule.alpha)
        cosine = f"(1 - {alpha}) * 0.5 * (1 + math.cos(math.pi * {{done}} / {steps})) + {alpha}"
        if schedule.warmup_target is None:
            return head + f"    done = min(step, {steps})\n    return {initial} * ({cosine.format(done='done')})\n"
        target, warmup = num(schedule.warmup_target), schedule.warmup_steps
        return head + (
            f"    step = min(step, {steps + warmup})\n"
            f"    if step < {warmup}:\n"
            f"        return ({target} - {initial}) * step / {warmup} + {initial}\n"
            f"    done = step - {warmup}\n"
            f"    return {target} * ({cosine.format(done='done')})\n"
        )
    raise ValueError(f"learning-rate schedule {type(schedule).__name__} has no torch rule")
