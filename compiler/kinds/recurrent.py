"""Recurrent layers in torch: SimpleRNN, LSTM and GRU as nn.RNN, nn.LSTM and nn.GRU
(batch_first), where those compute Keras's formula; elsewhere (other activations, a
dropped recurrent state, GRU's reset_after=False) as a subclass of the same torch layer,
with the same weights, whose forward() is Keras's cell as a loop over the steps.

Keras's kernels are (features, gates * units) with the gates side by side; torch's
`weight_ih_l0` is (gates * units, features): a transpose, after GRU's gates z, r, h are
reordered to torch's r, z, n. Torch adds two biases where Keras has one: Keras's bias
goes into `bias_ih_l0` and `bias_hh_l0` stays zero and frozen (the way back adds the
two, so a state_dict trained elsewhere still converts). GRU with reset_after keeps
two biases in Keras too: its (2, 3 * units) bias is torch's pair."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, ClassVar

from ...spec.activations import ACTIVATIONS
from ...spec.layers import recurrent as spec
from ..from_torch.reverse import KerasLayer, LayerOutput, Matched, Untranslatable, Unusable, arranged, from_module
from ..from_torch.reverse import Site as FromSite
from ..rules.expr import FUNCTIONAL, Expr, Statement, call, expr, num
from ..rules.init import draws_alike, init_statement
from ..rules.rule import ForwardStep, KindRule, Site, TorchLayer, Unmappable
from ..rules.torch_helpers import register_helper
from ..rules.transfer import Permute, Reshape, Spread, Take, Transfer
from . import rule, rule_for

TORCH_ACTIVATIONS = {"activation": "tanh", "recurrent_activation": "sigmoid"}
"""What torch's LSTM and GRU compute."""

register_helper(
    "recurrent_keep",
    '''
def recurrent_keep(h: torch.Tensor, rate: float, training: bool) -> torch.Tensor | None:
    """Keras's recurrent dropout: one mask per sequence, kept for every step (None: keep all)."""
    if not training or rate == 0.0:
        return None
    return (torch.rand_like(h) >= rate) / (1.0 - rate)


def masked(mask: torch.Tensor | None, new: torch.Tensor, old: torch.Tensor) -> torch.Tensor:
    """Keras's masked step: where a sequence's step is masked, the old value carries over."""
    return new if mask is None else torch.where(mask, new, old)
''',
)

register_helper(
    "KerasSimpleRNN",
    '''
class KerasSimpleRNN(nn.RNN):
    """nn.RNN's weights; Keras's SimpleRNN step by step: any activation, dropout of the
    recurrent state in training, a mask (masked steps keep the state, and output the last
    output, or zeros with zero_output_for_mask)."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        activation=torch.tanh,
        recurrent_dropout: float = 0.0,
        zero_output_for_mask: bool = False,
        **options,
    ) -> None:
        super().__init__(input_size, hidden_size, batch_first=True, **options)
        self.activation, self.recurrent_dropout = activation, recurrent_dropout
        self.zero_output_for_mask = zero_output_for_mask

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        steps = F.linear(x, self.weight_ih_l0, self.bias_ih_l0 if self.bias else None)
        h = output = x.new_zeros(x.shape[0], self.hidden_size)
        keep = recurrent_keep(h, self.recurrent_dropout, self.training)
        outputs = []
        for t, step in enumerate(steps.unbind(1)):
            kept = None if mask is None else mask[:, t, None]
            new = self.activation(step + F.linear(h if keep is None else h * keep, self.weight_hh_l0))
            h = masked(kept, new, h)
            output = masked(kept, new, torch.zeros_like(new) if self.zero_output_for_mask else output)
            outputs.append(output)
        return torch.stack(outputs, 1), h[None]
''',
    frozenset({FUNCTIONAL, "recurrent_keep"}),
)

register_helper(
    "KerasLSTM",
    '''
class KerasLSTM(nn.LSTM):
    """nn.LSTM's weights (gates i, f, g, o); Keras's LSTM step by step: any activations,
    dropout of the recurrent state in training, a mask (masked steps keep the states,
    and output the last output, or zeros with zero_output_for_mask)."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        activation=torch.tanh,
        recurrent_activation=torch.sigmoid,
        recurrent_dropout: float = 0.0,
        zero_output_for_mask: bool = False,
        **options,
    ) -> None:
        super().__init__(input_size, hidden_size, batch_first=True, **options)
        self.activation, self.recurrent_activation = activation, recurrent_activation
        self.recurrent_dropout, self.zero_output_for_mask = recurrent_dropout, zero_output_for_mask

    def forward(
        self, x: torch.Tensor, mask: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        steps = F.linear(x, self.weight_ih_l0, self.bias_ih_l0 if self.bias else None)
        h = c = output = x.new_zeros(x.shape[0], self.hidden_size)
        keep = recurrent_keep(h, self.recurrent_dropout, self.training)
        gate = self.recurrent_activation
        outputs = []
        for t, step in enumerate(steps.unbind(1)):
            kept = None if mask is None else mask[:, t, None]
            i, f, g, o = (step + F.linear(h if keep is None else h * keep, self.weight_hh_l0)).chunk(4, 1)
            new_c = gate(f) * c + gate(i) * self.activation(g)
            new = gate(o) * self.activation(new_c)
            h, c = masked(kept, new, h), masked(kept, new_c, c)
            output = masked(kept, new, torch.zeros_like(new) if self.zero_output_for_mask else output)
            outputs.append(output)
        return torch.stack(outputs, 1), (h[None], c[None])
''',
    frozenset({FUNCTIONAL, "recurrent_keep"}),
)

register_helper(
    "KerasGRU",
    '''
class KerasGRU(nn.GRU):
    """nn.GRU's weights (gates r, z, n); Keras's GRU step by step: any activations,
    dropout of the recurrent state in training, reset_after=False (the reset gate applied
    to the state before its kernel; one bias), a mask (masked steps keep the state, and
    output the last output, or zeros with zero_output_for_mask)."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        activation=torch.tanh,
        recurrent_activation=torch.sigmoid,
        recurrent_dropout: float = 0.0,
        reset_after: bool = True,
        zero_output_for_mask: bool = False,
        **options,
    ) -> None:
        super().__init__(input_size, hidden_size, batch_first=True, **options)
        self.activation, self.recurrent_activation = activation, recurrent_activation
        self.recurrent_dropout, self.reset_after = recurrent_dropout, reset_after
        self.zero_output_for_mask = zero_output_for_mask

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        steps = F.linear(x, self.weight_ih_l0, self.bias_ih_l0 if self.bias else None)
        h = output = x.new_zeros(x.shape[0], self.hidden_size)
        keep = recurrent_keep(h, self.recurrent_dropout, self.training)
        bias = self.bias_hh_l0 if self.bias and self.reset_after else None
        w_r, w_z, w_n = self.weight_hh_l0.chunk(3, 0)
        gate = self.recurrent_activation
        outputs = []
        for t, step in enumerate(steps.unbind(1)):
            x_r, x_z, x_n = step.chunk(3, 1)
            state = h if keep is None else h * keep
            if self.reset_after:
                h_r, h_z, h_n = F.linear(state, self.weight_hh_l0, bias).chunk(3, 1)
                r, z = gate(x_r + h_r), gate(x_z + h_z)
                n = self.activation(x_n + r * h_n)
            else:
                r, z = gate(x_r + F.linear(state, w_r)), gate(x_z + F.linear(state, w_z))
                n = self.activation(x_n + F.linear(r * state, w_n))
            new = z * h + (1 - z) * n
            kept = None if mask is None else mask[:, t, None]
            h = masked(kept, new, h)
            output = masked(kept, new, torch.zeros_like(new) if self.zero_output_for_mask else output)
            outputs.append(output)
        return torch.stack(outputs, 1), h[None]
''',
    frozenset({FUNCTIONAL, "recurrent_keep"}),
)


class RecurrentRule(KindRule):
    keras_positional = ("units",)
    mask_policy = "read"
    torch_class: ClassVar[str]
    gate_order: ClassVar[tuple[int, ...]] = ()
    """Keras's gate blocks in torch's order; empty: the same order."""
    loop_class: ClassVar[str]
    """The helper computing Keras's cell step by step with the torch layer's weights."""
    state_names: ClassVar[tuple[str, ...]] = ("h",)

    def random_in_training(self, config: spec.RecurrentConfig) -> bool:
        return config.dropout > 0 or config.recurrent_dropout > 0

    def torch_computes(self, config: spec.RecurrentConfig) -> bool:
        """Whether torch's own layer computes Keras's formula for this config."""
        return config.recurrent_dropout == 0 and all(
            getattr(config, field) == value for field, value in TORCH_ACTIVATIONS.items()
        )

    def constructor(self, config: spec.RecurrentConfig, features: int, masked: bool = False) -> Expr:
        bias = {} if config.use_bias else {"bias": "False"}
        if self.torch_computes(config) and not masked:  # torch's layers take no mask: the loop does
            return call(self.torch_class, features, config.units, batch_first="True", **bias)
        options = self.loop_options(config) | bias
        return call(self.loop_class, features, config.units, needs={self.loop_class}, **options)

    def loop_options(self, config: spec.RecurrentConfig) -> dict[str, str]:
        """The loop helper's arguments that differ from its defaults (Keras's LSTM and GRU)."""
        options = {}
        for field, default in TORCH_ACTIVATIONS.items():
            value = getattr(config, field, default)
            if value != default:
                options[field] = _function(value)
        if config.recurrent_dropout:
            options["recurrent_dropout"] = num(config.recurrent_dropout)
        if config.zero_output_for_mask:
            options["zero_output_for_mask"] = "True"
        return options

    def torch(self, config: spec.RecurrentConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        layer = TorchLayer()
        self.forward(config, site, layer, self.run(config, site, layer, inputs[0]))
        return layer

    def run(self, config: spec.RecurrentConfig, site: Site, layer: TorchLayer, x: Expr) -> Expr:
        """Place the torch layer and its weights; returns its call, torch's (sequence, state)."""
        features = site.input_shape[2]
        mask = site.masks[0] if site.masks else None
        m = layer.module(site.attr, self.constructor(config, features, mask is not None), shape_only=True)
        for name, tensor in (("kernel", "weight_ih_l0"), ("recurrent_kernel", "weight_hh_l0")):
            weight = site.weight(name)
            layer.add_weight(weight, site.attr, tensor, self._kernel_transfer(weight.shape))
        if config.use_bias:
            self.add_bias(config, site, layer, m)
        if config.dropout > 0:  # Keras drops input features, one draw per sequence
            attr = site.attrs.name(f"{site.attr}_dropout")
            noise = (None, 1, features)
            layer.module(attr, call("NoiseShapeDropout", num(config.dropout), noise, needs={"NoiseShapeDropout"}))
            x = expr(f"self.{attr}({{}})", x)
        if config.go_backwards:  # Keras reads the sequence from its end, and returns it in that order
            x = expr("{}.flip(1)", x)
        if mask is None:
            return expr(f"{m}({{}})", x)
        if config.return_sequences:  # Keras's output keeps the input's mask (not reversed with go_backwards)
            layer.output_masks[0] = Expr(mask)
        return expr(f"{m}({{}}, {mask}{'.flip(1)' if config.go_backwards else ''})", x)

    def _kernel_transfer(self, shape: tuple[int, ...]) -> Transfer:
        rows, width = shape
        if not self.gate_order:
            return Transfer.transpose(shape)
        gates = len(self.gate_order)
        blocks = (Reshape((rows, gates, width // gates)), Take(1, self.gate_order), Reshape(shape))
        return Transfer(shape, (*blocks, Permute((1, 0))))

    def add_bias(self, config: spec.RecurrentConfig, site: Site, layer: TorchLayer, m: str) -> None:
        """Keras's one bias as torch's bias_ih_l0, bias_hh_l0 held at zero."""
        bias = site.weight("bias")
        gates = len(self.gate_order)
        reorder = (Reshape((gates, config.units)), Take(0, self.gate_order), Reshape(bias.shape)) if gates else ()
        steps = (*reorder, Spread(2))
        layer.add_weight(bias, site.attr, ("bias_ih_l0", "bias_hh_l0"), Transfer(bias.shape, steps), False, False)
        layer.init += self.bias_init(config, bias.initializer, f"{m}.bias_ih_l0", site.attr)
        layer.init.append(Statement(f"nn.init.zeros_({m}.bias_hh_l0)", site.attr))
        layer.setup.append(
            Statement(f"{m}.bias_hh_l0.requires_grad_(False)  # Keras has one bias: bias_ih_l0 holds it", site.attr)
        )

    def bias_init(self, config: spec.RecurrentConfig, init: object, target: str, attr: str) -> list[Statement]:
        return [init_statement(init, target, Transfer.same((config.units * config.gates,)), attr)]

    def forward(self, config: spec.RecurrentConfig, site: Site, layer: TorchLayer, run: Expr) -> None:
        """The layer's outputs from `run` (torch's (sequence, state) pair), as Keras returns
        them: the sequence or its last step, then each state without torch's layer axis."""
        if not config.return_state:
            layer.forward = expr(f"{{}}[0]{'' if config.return_sequences else '[:, -1]'}", run)
            return
        layer.outputs = self.bind(config, site, layer, run)

    def bind(self, config: spec.RecurrentConfig, site: Site, layer: TorchLayer, run: Expr) -> list[str]:
        """Forward lines binding the layer's outputs, as Keras returns them; their variables."""
        last = "" if config.return_sequences else "[:, -1]"
        if not config.return_state:
            output = site.variable()
            layer.steps.append(ForwardStep(output, expr(f"{{}}[0]{last}", run)))
            return [output]
        output = site.variable("sequence" if last else "")
        states = [site.variable(name) for name in self.state_names]
        pattern = states[0] if len(states) == 1 else f"({', '.join(states)})"
        layer.steps.append(ForwardStep(f"{output}, {pattern}", run))
        squeezed = ", ".join(f"{s}.squeeze(0)" for s in states)
        layer.steps.append(ForwardStep(", ".join(states), Expr(squeezed), tuple(states)))
        if last:
            result = site.variable()
            layer.steps.append(ForwardStep(result, Expr(f"{output}{last}"), (output,)))
            output = result
        return [output, *states]


@rule("SimpleRNN")
class SimpleRNNRule(RecurrentRule):
    torch_class = "nn.RNN"
    loop_class = "KerasSimpleRNN"

    def torch_computes(self, config: spec.SimpleRNNConfig) -> bool:
        return config.recurrent_dropout == 0 and config.activation in ("tanh", "relu")

    def constructor(self, config: spec.SimpleRNNConfig, features: int, masked: bool = False) -> Expr:
        if config.activation == "relu" and self.torch_computes(config) and not masked:
            bias = {} if config.use_bias else {"bias": "False"}
            return call(self.torch_class, features, config.units, nonlinearity='"relu"', batch_first="True", **bias)
        return super().constructor(config, features, masked)


@rule("LSTM")
class LSTMRule(RecurrentRule):
    torch_class = "nn.LSTM"
    loop_class = "KerasLSTM"
    state_names = ("h", "c")

    def bias_init(self, config: spec.LSTMConfig, init: object, target: str, attr: str) -> list[Statement]:
        units = config.units
        if not config.unit_forget_bias:
            return super().bias_init(config, init, target, attr)
        forget = Statement(f"nn.init.ones_({target}[{units}:{2 * units}])  # unit_forget_bias", attr)
        if draws_alike(init):
            return [init_statement(init, target, Transfer.same((4 * units,)), attr), forget]
        # Keras draws the other gates' biases as two weights of their own: (units,) and (2 * units,)
        return [
            init_statement(init, f"{target}[:{units}]", Transfer.same((units,)), attr),
            forget,
            init_statement(init, f"{target}[{2 * units}:]", Transfer.same((2 * units,)), attr),
        ]


@rule("GRU")
class GRURule(RecurrentRule):
    torch_class = "nn.GRU"
    loop_class = "KerasGRU"
    gate_order = (1, 0, 2)

    def torch_computes(self, config: spec.GRUConfig) -> bool:
        return config.reset_after and super().torch_computes(config)

    def loop_options(self, config: spec.GRUConfig) -> dict[str, str]:
        return super().loop_options(config) | ({} if config.reset_after else {"reset_after": "False"})

    def add_bias(self, config: spec.GRUConfig, site: Site, layer: TorchLayer, m: str) -> None:
        """Keras's (2, 3 * units) bias: the input and the recurrent biases, torch's pair.
        Without reset_after, one bias, as LSTM's."""
        if not config.reset_after:
            super().add_bias(config, site, layer, m)
            return
        bias = site.weight("bias")
        width = 3 * config.units
        steps = (Reshape((2, 3, config.units)), Take(1, self.gate_order), Reshape((2, width)))
        layer.add_weight(bias, site.attr, ("bias_ih_l0", "bias_hh_l0"), Transfer(bias.shape, steps), False, False)
        if not draws_alike(bias.initializer):
            raise Unmappable(
                f"bias_initializer {type(bias.initializer).__name__} on a GRU's (2, units) bias has no torch rule",
                field="bias_initializer",
            )
        for tensor in ("bias_ih_l0", "bias_hh_l0"):
            layer.init.append(init_statement(bias.initializer, f"{m}.{tensor}", Transfer.same((width,)), site.attr))


def _function(activation: str) -> str:
    """A spec activation as a torch function: `F.relu`, or a lambda where it is an expression."""
    template = ACTIVATIONS[activation].torch_functional
    called = re.fullmatch(r"([\w.]+)\(\{x\}\)", template)
    return called.group(1) if called else f"lambda x: {template.format(x='x')}"


MERGES = {
    "concat": "torch.cat([{0}, {1}], dim=-1)",
    "sum": "{0} + {1}",
    "mul": "{0} * {1}",
    "ave": "({0} + {1}) / 2",
}
"""Bidirectional's merge modes over the forward and the (time-ordered) backward output."""


@rule("Bidirectional")
class BidirectionalRule(KindRule):
    """Two torch layers, one per direction, each lowered by its kind's rule (so a
    direction may be a step loop), named <layer>_forward and <layer>_backward; the
    backward output is put back in time order and merged as Keras merges it. As Keras,
    each direction outputs zeros at masked steps when it returns sequences."""

    keras_positional = ("layer",)
    mask_policy = "read"

    def random_in_training(self, config: spec.BidirectionalConfig) -> bool:
        return any(rule_for(d.class_name).random_in_training(d.config) for d in (config.forward, config.backward))

    def torch(self, config: spec.BidirectionalConfig, site: Site, inputs: list[Expr]) -> TorchLayer:
        layer = TorchLayer()
        bound = []
        for side, wrapped in (("forward", config.forward), ("backward", config.backward)):
            sub_rule: RecurrentRule = rule_for(wrapped.class_name)  # type: ignore[assignment]
            sub_site = _direction_site(site, side, wrapped)
            sub = TorchLayer()
            direction = wrapped.config.model_copy(update={"zero_output_for_mask": wrapped.config.return_sequences})
            run = sub_rule.run(direction, sub_site, sub, inputs[0])
            bound.append(sub_rule.bind(direction, sub_site, sub, run))
            layer.output_masks = sub.output_masks
            prefix = f"{wrapped.config.name}/{spec.CELL_NAMES[wrapped.class_name]}/"
            sub.weights = [replace(w, keras=prefix + w.keras) for w in sub.weights]
            layer.merge(sub)
            layer.steps += sub.steps
        (y, *forward_states), (y_back, *backward_states) = bound
        if config.forward.config.return_sequences:  # the backward sequence, back in time order
            layer.steps.append(ForwardStep(y_back, Expr(f"{y_back}.flip(1)"), (y_back,)))
        if config.merge_mode is None:
            layer.outputs = [y, y_back, *forward_states, *backward_states]
            if 0 in layer.output_masks:
                layer.output_masks[1] = layer.output_masks[0]
            return layer
        merged = site.variable()
        layer.steps.append(ForwardStep(merged, Expr(MERGES[config.merge_mode].format(y, y_back)), (y, y_back)))
        layer.outputs = [merged, *forward_states, *backward_states]
        return layer


def _direction_site(site: Site, side: str, wrapped: spec.RecurrentLayerObject) -> Site:
    """The site of one direction: its own attribute, its weights under their plain names."""
    prefix = f"{wrapped.config.name}/{spec.CELL_NAMES[wrapped.class_name]}/"
    weights = tuple(replace(w, name=w.name.removeprefix(prefix)) for w in site.weights if w.name.startswith(prefix))
    outputs = wrapped.config.output_shapes(site.input_shapes)
    return replace(
        site,
        attr=site.attrs.name(f"{site.attr}_{side}"),
        weights=weights,
        output_shape=outputs[0],
        output_shapes=outputs,
        variable_base=f"{site.variable_base}_{side}",
    )


# -- from PyTorch ---------------------------------------------------------------------------

TORCH_RECURRENT = {"LSTM": "LSTM", "GRU": "GRU", "RNN": "SimpleRNN"}


@from_module(*TORCH_RECURRENT)
def _recurrent(module: Any, site: FromSite) -> Matched:
    """nn.LSTM, nn.GRU, nn.RNN: one Keras layer per torch layer (a Bidirectional where
    torch's is), each returning its sequence; torch's two biases are summed into Keras's
    one (LSTM, SimpleRNN) or stacked (GRU, reset_after as torch computes it)."""
    torch_kind = type(module).__name__
    kind = TORCH_RECURRENT[torch_kind]
    if getattr(module, "proj_size", 0):
        raise Untranslatable("an LSTM with proj_size has no Keras layer")
    if site.value.rank != 3:
        raise Untranslatable(f"nn.{torch_kind} on a tensor that is not (batch, steps, features)")
    # Keras reads (batch, steps, features); torch without batch_first (steps, batch, features)
    needed = (0, 1, 2) if module.batch_first else (1, 0, 2)
    if site.value.perm.index(0) != needed.index(0):
        raise Untranslatable(
            f"nn.{torch_kind}(batch_first={module.batch_first}) reads (steps, batch, features) here, and the "
            "model's input is batch first: transpose to the steps first in forward() (x.transpose(0, 1))"
            if not module.batch_first
            else f"nn.{torch_kind} reads the batch first, and this tensor has its steps first"
        )
    before = arranged(site.value, needed)
    config: dict[str, Any] = {"units": module.hidden_size, "return_sequences": True, "use_bias": module.bias}
    config |= {
        "LSTM": {"recurrent_activation": "sigmoid"},
        "GRU": {"recurrent_activation": "sigmoid", "reset_after": True},
        "SimpleRNN": {"activation": getattr(module, "nonlinearity", "tanh")},
    }[kind]
    layers = []
    for depth in range(module.num_layers):
        layer_config = config | ({"dropout": float(module.dropout)} if depth and module.dropout else {})
        suffix = f"l{depth}" if depth else None
        if not module.bidirectional:
            layers.append(KerasLayer(kind, layer_config, _cell_weights(module, depth, ""), suffix=suffix))
            continue
        inner = spec.CELL_NAMES[kind].removesuffix("_cell")
        weights = {
            f"{side}_{inner}/{spec.CELL_NAMES[kind]}/{name}": tensors
            for side, sfx in (("forward", ""), ("backward", "_reverse"))
            for name, tensors in _cell_weights(module, depth, sfx).items()
        }
        wrapped = {"class_name": kind, "config": {"name": inner, **layer_config}}
        layers.append(KerasLayer("Bidirectional", {"layer": wrapped, "merge_mode": "concat"}, weights, suffix=suffix))
    if not site.tail_used:
        return Matched([*before, *layers], order=needed, tail=Unusable("unused states"))
    tail = _states(module, kind, site, len(before))
    return Matched([*before, *_returning_states(layers, kind)], order=needed, tail=tail)


def _returning_states(layers: list[KerasLayer], kind: str) -> list[KerasLayer]:
    """The layers, each also returning its final states (Keras's return_state)."""
    for layer in layers:
        config = layer.config["layer"]["config"] if layer.class_name == "Bidirectional" else layer.config
        config["return_state"] = True
    return layers


def _states(module: Any, kind: str, site: FromSite, first: int) -> Any:
    """torch's h_n (and c_n): one state per layer and direction, layer by layer, forward
    first; each the output of the Keras layer that made it. Keras's order: the output,
    then the forward layer's states (h, c), then the backward one's."""
    per_direction = 2 if kind == "LSTM" else 1
    shape = (site.value.shape[site.value.perm.index(0)], module.hidden_size)
    directions = 2 if module.bidirectional else 1
    stacks = []
    for which in range(per_direction):  # h, then c
        stacks.append(
            [
                LayerOutput(first + depth, 1 + direction * per_direction + which, shape)
                for depth in range(module.num_layers)
                for direction in range(directions)
            ]
        )
    return tuple(stacks) if kind == "LSTM" else stacks[0]


def _cell_weights(module: Any, depth: int, sfx: str) -> dict[str, tuple[Any, ...]]:
    weights = {
        "kernel": (getattr(module, f"weight_ih_l{depth}{sfx}"),),
        "recurrent_kernel": (getattr(module, f"weight_hh_l{depth}{sfx}"),),
    }
    if module.bias:
        weights["bias"] = (getattr(module, f"bias_ih_l{depth}{sfx}"), getattr(module, f"bias_hh_l{depth}{sfx}"))
    return weights
