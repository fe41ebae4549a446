"""Keras losses and metrics as torch functions, placed in the generated training
script. Each loss returns per-sample values computed as Keras computes them
(probabilities normalised and clipped to [1e-7, 1 - 1e-7] before the log, as
Keras's own torch backend does; logits through log_softmax when `from_logits`);
the loop averages them over the batch, Keras's "sum_over_batch_size"."""

from __future__ import annotations

from dataclasses import dataclass

from ...spec.training import Loss, Metric
from ..rules.expr import num

EPSILON = "1e-07"


@dataclass(frozen=True)
class LossCode:
    function: str
    """The function's name in the generated script."""
    source: str
    sparse_labels: bool = False
    """Targets are class indices (int64), not arrays like the output."""


def _function(name: str, doc: str, body: str) -> str:
    return f'def {name}(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:\n    """{doc}"""\n' + "".join(
        f"    {line}\n" for line in body.strip("\n").splitlines()
    )


def _crossentropy(loss: Loss, sparse: bool) -> str:
    if loss.from_logits:
        log_probs = "log_probs = F.log_softmax(output, dim=-1)"
    else:
        log_probs = (
            "probs = output / output.sum(dim=-1, keepdim=True)\n"
            f"log_probs = torch.log(probs.clamp({EPSILON}, 1.0 - {EPSILON}))"
        )
    if sparse:
        return log_probs + '\nreturn F.nll_loss(log_probs, target, reduction="none")'
    target = "target"
    if loss.label_smoothing:
        smoothing = num(loss.label_smoothing)
        target = f"target * (1.0 - {smoothing}) + {smoothing} / output.shape[-1]"
    return log_probs + f"\nreturn -(({target}) * log_probs).sum(dim=-1)"


def _binary(loss: Loss) -> str:
    target = "target"
    if loss.label_smoothing:
        smoothing = num(loss.label_smoothing)
        target = f"(target * (1.0 - {smoothing}) + 0.5 * {smoothing})"
    if loss.from_logits:
        return f'return F.binary_cross_entropy_with_logits(output, {target}, reduction="none").mean(dim=-1)'
    return (
        f"probs = output.clamp({EPSILON}, 1.0 - {EPSILON})\n"
        f"return -({target} * torch.log(probs) + (1.0 - {target}) * torch.log(1.0 - probs)).mean(dim=-1)"
    )


def _hinge_target() -> str:
    return "target = torch.where(target == 0, -1.0, target)  # Keras turns 0/1 labels into -1/1"


_BODIES = {
    "mean_squared_error": lambda loss: "return (output - target).square().mean(dim=-1)",
    "mean_absolute_error": lambda loss: "return (output - target).abs().mean(dim=-1)",
    "mean_absolute_percentage_error": lambda loss: (
        f"return 100.0 * ((target - output) / target.abs().clamp_min({EPSILON})).abs().mean(dim=-1)"
    ),
    "mean_squared_logarithmic_error": lambda loss: (
        f"first = torch.log(output.clamp_min({EPSILON}) + 1.0)\n"
        f"second = torch.log(target.clamp_min({EPSILON}) + 1.0)\n"
        "return (first - second).square().mean(dim=-1)"
    ),
    "hinge": lambda loss: _hinge_target() + "\nreturn (1.0 - target * output).clamp_min(0.0).mean(dim=-1)",
    "squared_hinge": lambda loss: (
        _hinge_target() + "\nreturn (1.0 - target * output).clamp_min(0.0).square().mean(dim=-1)"
    ),
    "categorical_hinge": lambda loss: (
        "positive = (target * output).sum(dim=-1)\n"
        "negative = ((1.0 - target) * output).amax(dim=-1)\n"
        "return (negative - positive + 1.0).clamp_min(0.0)"
    ),
    "log_cosh": lambda loss: (
        "error = output - target\nreturn (error + F.softplus(-2.0 * error) - math.log(2.0)).mean(dim=-1)"
    ),
    "categorical_crossentropy": lambda loss: _crossentropy(loss, sparse=False),
    "sparse_categorical_crossentropy": lambda loss: _crossentropy(loss, sparse=True),
    "binary_crossentropy": _binary,
    "kl_divergence": lambda loss: (
        f"target = target.clamp({EPSILON}, 1.0)\n"
        f"return (target * torch.log(target / output.clamp({EPSILON}, 1.0))).sum(dim=-1)"
    ),
    "poisson": lambda loss: f"return (output - target * torch.log(output + {EPSILON})).mean(dim=-1)",
    "cosine_similarity": lambda loss: (
        f"return -(F.normalize(target, dim={loss.axis}) * F.normalize(output, dim={loss.axis})).sum(dim={loss.axis})"
    ),
    "huber": lambda loss: (
        "error = (output - target).abs()\n"
        f"quadratic = error.clamp_max({num(loss.delta)})\n"
        "return (0.5 * quadratic.square() + (error - quadratic) * " + num(loss.delta) + ").mean(dim=-1)"
    ),
}


def loss_code(loss: Loss) -> LossCode:
    """The generated per-sample loss function for a Keras loss."""
    if loss.ignore_class is not None:
        raise ValueError("sparse_categorical_crossentropy's ignore_class has no torch rule")
    if loss.reduction not in ("sum_over_batch_size", None):
        raise ValueError(f"loss reduction {loss.reduction!r} has no torch rule (only sum_over_batch_size)")
    doc = f"Keras's {loss.name}, per sample" + (" (from logits)" if loss.from_logits else "") + "."
    source = _function(loss.name, doc, _BODIES[loss.name](loss))
    return LossCode(loss.name, source, sparse_labels=loss.name == "sparse_categorical_crossentropy")


ACCURACY_BODIES = {
    "sparse_categorical_accuracy": "return (output.argmax(dim=-1) == target).float()",
    "categorical_accuracy": "return (output.argmax(dim=-1) == target.argmax(dim=-1)).float()",
    "binary_accuracy": "return ((output > {threshold}).float() == target).float().mean(dim=-1)",
    "top_k_categorical_accuracy": (
        "top = output.topk({k}, dim=-1).indices\n"
        "return (top == target.argmax(dim=-1, keepdim=True)).any(dim=-1).float()"
    ),
    "sparse_top_k_categorical_accuracy": (
        "top = output.topk({k}, dim=-1).indices\nreturn (top == target.unsqueeze(-1)).any(dim=-1).float()"
    ),
}


def metric_name(metric: Metric, loss: Loss | None, output_units: int | None) -> str:
    """Keras's resolution of 'accuracy' by the loss and output, as compile() does."""
    if metric.name != "accuracy":
        return metric.name
    if output_units == 1 or (loss is not None and loss.name == "binary_crossentropy"):
        return "binary_accuracy"
    if loss is not None and loss.name == "sparse_categorical_crossentropy":
        return "sparse_categorical_accuracy"
    return "categorical_accuracy"


def _option_suffix(name: str, metric: Metric) -> str:
    """Tells apart two uses of one metric with different options: binary_accuracy_at_0_3."""
    if "{threshold}" in ACCURACY_BODIES[name] and metric.threshold != 0.5:
        return "_at_" + num(metric.threshold).replace(".", "_").replace("-", "minus_")
    if "{k}" in ACCURACY_BODIES[name] and metric.k != 5:
        return f"_k{metric.k}"
    return ""


def metric_code(metric: Metric, loss: Loss | None, output_units: int | None) -> tuple[str, str, str]:
    """(name in the history, function name, source) of a metric: per-sample values."""
    name = metric_name(metric, loss, output_units)
    if name in ACCURACY_BODIES:
        body = ACCURACY_BODIES[name].format(threshold=num(metric.threshold), k=metric.k)
        function = name + _option_suffix(name, metric)
        return metric.reported, function, _function(function, f"Keras's {name}, per sample.", body)
    code = loss_code(Loss(name=name))  # a loss used as a metric
    return metric.reported, code.function, code.source
