"""The activation functions Keras knows by name, as one table.

Both emitters read this table: `keras` is the name Keras 3 accepts (None where no
Keras 3 builtin computes it), `torch_module` and `torch_functional` are the PyTorch
forms, with `{x}` standing for the input tensor."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ActivationInfo:
    name: str
    formula: str
    torch_module: str
    torch_functional: str
    keras: str | None = None
    aliases: tuple[str, ...] = ()
    note: str = ""


def _act(name: str, formula: str, module: str, functional: str, **kw: object) -> ActivationInfo:
    keras = kw.pop("keras", name)
    return ActivationInfo(name, formula, module, functional, keras=keras, **kw)  # type: ignore[arg-type]


ACTIVATIONS: dict[str, ActivationInfo] = {
    a.name: a
    for a in [
        _act("linear", "x", "nn.Identity()", "{x}"),
        _act("relu", "max(x, 0)", "nn.ReLU()", "F.relu({x})"),
        _act("relu6", "min(max(x, 0), 6)", "nn.ReLU6()", "F.relu6({x})"),
        _act("sigmoid", "1 / (1 + exp(-x))", "nn.Sigmoid()", "torch.sigmoid({x})"),
        _act("tanh", "tanh(x)", "nn.Tanh()", "torch.tanh({x})"),
        _act("softmax", "exp(x) / sum(exp(x)) over the last axis", "nn.Softmax(dim=-1)", "F.softmax({x}, dim=-1)"),
        _act(
            "log_softmax",
            "x - logsumexp(x) over the last axis",
            "nn.LogSoftmax(dim=-1)",
            "F.log_softmax({x}, dim=-1)",
        ),
        _act("softplus", "log(1 + exp(x))", "nn.Softplus()", "F.softplus({x})"),
        _act("softsign", "x / (1 + |x|)", "nn.Softsign()", "F.softsign({x})"),
        _act("selu", "scale * elu(x, alpha), Klambauer's constants", "nn.SELU()", "F.selu({x})"),
        _act("elu", "x if x > 0 else exp(x) - 1 (alpha 1.0)", "nn.ELU(alpha=1.0)", "F.elu({x}, alpha=1.0)"),
        _act("celu", "max(0, x) + min(0, exp(x) - 1) (alpha 1.0)", "nn.CELU(alpha=1.0)", "F.celu({x}, alpha=1.0)"),
        _act(
            "exponential",
            "exp(x)",
            "Exponential()",
            "torch.exp({x})",
            note="torch has no module: a one-line one is generated",
        ),
        _act(
            "leaky_relu",
            "x if x > 0 else 0.2 * x",
            "nn.LeakyReLU(negative_slope=0.2)",
            "F.leaky_relu({x}, negative_slope=0.2)",
            note="the function's slope is 0.2; the LeakyReLU layer's default is 0.3",
        ),
        _act("silu", "x * sigmoid(x)", "nn.SiLU()", "F.silu({x})", aliases=("swish",)),
        _act("hard_silu", "x * relu6(x + 3) / 6", "nn.Hardswish()", "F.hardswish({x})", aliases=("hard_swish",)),
        _act(
            "gelu",
            "x * Phi(x), exact (erf) form",
            'nn.GELU(approximate="none")',
            'F.gelu({x}, approximate="none")',
            note="Keras's activation string means approximate=False",
        ),
        _act(
            "hard_sigmoid",
            "relu6(x + 3) / 6 (Keras 3)",
            "nn.Hardsigmoid()",
            "F.hardsigmoid({x})",
            note="Keras 3's definition; Keras 2 files mean legacy_hard_sigmoid",
        ),
        _act(
            "legacy_hard_sigmoid",
            "clip(0.2 * x + 0.5, 0, 1) (Keras 2's hard_sigmoid)",
            "LegacyHardSigmoid()",
            "torch.clamp(0.2 * {x} + 0.5, 0.0, 1.0)",
            keras=None,
            note="what 'hard_sigmoid' meant in tf.keras 2.x; Keras 3 has no builtin for it",
        ),
        _act("mish", "x * tanh(softplus(x))", "nn.Mish()", "F.mish({x})"),
        _act("hard_tanh", "clip(x, -1, 1)", "nn.Hardtanh()", "F.hardtanh({x})"),
        _act("log_sigmoid", "log(sigmoid(x))", "nn.LogSigmoid()", "F.logsigmoid({x})"),
        _act("tanh_shrink", "x - tanh(x)", "nn.Tanhshrink()", "F.tanhshrink({x})"),
        _act(
            "hard_shrink",
            "x if |x| > 0.5 else 0",
            "nn.Hardshrink(lambd=0.5)",
            "F.hardshrink({x}, lambd=0.5)",
        ),
        _act(
            "soft_shrink",
            "x - 0.5 * sign(x) if |x| > 0.5 else 0",
            "nn.Softshrink(lambd=0.5)",
            "F.softshrink({x}, lambd=0.5)",
        ),
    ]
}

ACTIVATION_ALIASES: dict[str, str] = {alias: a.name for a in ACTIVATIONS.values() for alias in a.aliases}

KERAS2_RENAMES: dict[str, str] = {"hard_sigmoid": "legacy_hard_sigmoid"}
"""Names whose meaning changed between tf.keras 2.x and Keras 3."""


def canonical_activation(name: str) -> str | None:
    """The table's name for a Keras activation name or alias, or None if unknown."""
    key = name.strip()
    if key in ACTIVATIONS:
        return key
    return ACTIVATION_ALIASES.get(key)
