"""TimeDistributed in torch: the wrapped layer's own rule, run on the steps folded into
the batch (`x.flatten(0, 1)`) and unfolded after (`.unflatten(0, x.shape[:2])`)."""

from __future__ import annotations

from dataclasses import replace

from ...spec.layers import wrappers as spec
from ..rules.expr import Expr, expr, method
from ..rules.layout import Layout, convert
from ..rules.rule import KindRule, Site, TorchLayer, Unmappable
from . import rule, rule_for


@rule("TimeDistributed")
class TimeDistributedRule(KindRule):
    """The sequence arrives in Keras's layout; the folded steps are converted to the
    layout the wrapped rule computes in (a Conv2D's channels first) and back."""

    keras_positional = ("layer",)
    mask_policy = "refuse"

    def masks_for(self, config: spec.TimeDistributedConfig) -> str:
        """Keras passes the mask on (TimeDistributed supports masking) and hands each step's
        to the wrapped layer where its call takes one: a layer that ignores masks (Dense,
        a convolution) passes it on; one that reads them is refused."""
        inner = rule_for(config.layer.class_name).masks_for(config.layer.config)
        return "pass" if inner in ("drop", "pass") else "refuse"

    def random_in_training(self, config: spec.TimeDistributedConfig) -> bool:
        return rule_for(config.layer.class_name).random_in_training(config.layer.config)

    def torch(self, config: spec.TimeDistributedConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        (x,) = inputs
        wrapped = config.layer
        inner = rule_for(wrapped.class_name)
        if getattr(wrapped.config, "activity_regularizer", None) is not None:
            raise Unmappable("an activity_regularizer on a wrapped layer has no torch rule (Keras divides by N * T)")
        step_shape = config.inner_input(site.input_shapes)
        keras = Layout.keras(len(step_shape))
        output = wrapped.config.output_shapes([step_shape])[0]
        sub = replace(
            site,
            attr=site.attrs.name(f"{site.attr}_{wrapped.config.name}"),
            input_shapes=(step_shape,),
            output_shape=output,
            output_shapes=(output,),
            layouts=(keras,),
            variable_base=f"{site.variable_base}_{wrapped.config.name}",
        )
        want = inner.layouts(wrapped.config, sub)[0] or keras
        steps = convert(expr("{}.flatten(0, 1)", x), keras, want)
        lowered = inner.torch(wrapped.config, replace(sub, layouts=(want,)), [steps])
        if lowered.steps or lowered.forward is None:
            raise Unmappable(f"TimeDistributed takes a layer with one output, not {wrapped.class_name}")
        layout = lowered.output_layout or (want if inner.elementwise else Layout.keras(len(output)))
        result = convert(lowered.forward, layout, Layout.keras(len(output)))
        lowered.forward = method(result, "unflatten", 0, f"{x}.shape[:2]")
        lowered.output_layout = Layout.keras(len(site.output_shape))
        return lowered
