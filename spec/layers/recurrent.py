"""Recurrent layers: SimpleRNN, LSTM, GRU over (batch, time, features).

Each declares its cell's weights as Keras's cell builds them (kernel, recurrent_kernel,
bias; LSTM's gates i, f, c, o and GRU's z, r, h side by side in Keras's order), held by
the layer's `cell`, where Keras saves them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Annotated, Any, ClassVar, Literal, Union

from pydantic import Field, model_validator

from ..base import Int, SeedInt, unsupported
from ..initializers import Initializer, default_initializer
from ..lazy import LazyUnion
from ..regularizers import Constraint, Regularizer
from .activations import ActivationName
from .base import LayerConfig, LayerObject, Shape, ShapeError, WeightSpec, known, layer_kind, object_model, show

Rate = Annotated[float, Field(ge=0, le=1)]


class RecurrentConfig(LayerConfig):
    """What SimpleRNN, LSTM and GRU share: Keras's RNN layer around one cell."""

    gates: ClassVar[int] = 1
    """Blocks of `units` columns in the kernels (LSTM 4, GRU 3)."""
    states: ClassVar[int] = 1
    """States returned with return_state (LSTM: h and c)."""

    units: Int = Field(gt=0)
    activation: ActivationName = "tanh"
    use_bias: bool = True
    kernel_initializer: Initializer = default_initializer("glorot_uniform")
    recurrent_initializer: Initializer = default_initializer("orthogonal")
    bias_initializer: Initializer = default_initializer("zeros")
    kernel_regularizer: Regularizer | None = None
    recurrent_regularizer: Regularizer | None = None
    bias_regularizer: Regularizer | None = None
    kernel_constraint: Constraint | None = None
    recurrent_constraint: Constraint | None = None
    bias_constraint: Constraint | None = None
    dropout: Rate = 0.0
    recurrent_dropout: Rate = 0.0
    seed: SeedInt | None = None
    return_sequences: bool = False
    return_state: bool = False
    go_backwards: bool = False
    stateful: Annotated[
        bool, unsupported("stateful RNNs (state carried from batch to batch) are not supported", False)
    ] = False
    unroll: bool = False
    """Keras builds the loop unrolled: the values are the same."""
    zero_output_for_mask: bool = False
    """What masked steps output; without a mask, nothing."""

    @classmethod
    def from_keras2(cls, config: dict[str, Any]) -> None:
        config.pop("implementation", None)  # tf.keras's choice of kernel: the same values either way
        if config.get("time_major") is False:
            del config["time_major"]  # Keras 3 is always batch-major; a true value is refused as unknown

    def output_shapes(self, inputs: Sequence[Shape]) -> tuple[Shape, ...]:
        shape = self.single(inputs)
        if len(shape) != 3:
            raise ShapeError(f"{self.kind} takes (batch, time, features), got {show(shape)}")
        known(shape[2], f"{self.kind} input's features (input shape {show(shape)})")
        batch = shape[0]
        output = (batch, shape[1], self.units) if self.return_sequences else (batch, self.units)
        if not self.return_state:
            return (output,)
        return (output, *((batch, self.units) for _ in range(self.states)))

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        return self.output_shapes(inputs)[0]

    def bias_shape(self) -> tuple[int, ...]:
        return (self.gates * self.units,)

    def build_weights(self, inputs: Sequence[Shape]) -> list[WeightSpec]:
        features = known(self.single(inputs)[-1], f"{self.kind} input's features")
        width = self.gates * self.units
        made = [
            WeightSpec(
                "kernel",
                (features, width),
                self.kernel_initializer,
                True,
                self.kernel_regularizer,
                self.kernel_constraint,
                owner="cell",
            ),
            WeightSpec(
                "recurrent_kernel",
                (self.units, width),
                self.recurrent_initializer,
                True,
                self.recurrent_regularizer,
                self.recurrent_constraint,
                owner="cell",
            ),
        ]
        if self.use_bias:
            made.append(
                WeightSpec(
                    "bias",
                    self.bias_shape(),
                    self.bias_initializer,
                    True,
                    self.bias_regularizer,
                    self.bias_constraint,
                    owner="cell",
                )
            )
        return made


@layer_kind("SimpleRNN")
class SimpleRNNConfig(RecurrentConfig):
    """h = activation(x @ kernel + h @ recurrent_kernel + bias), step by step."""


CUDNN_ACTIVATIONS = {"activation": "tanh", "recurrent_activation": "sigmoid"}
"""What cuDNN's kernels compute with, and so what tf.keras 1.x's CuDNNLSTM/CuDNNGRU meant.
Their weights were stored in cuDNN's layout with a split bias; the weight readers convert
them (`compiler/weights/cudnn.py`), as tf.keras's own loader did."""


@layer_kind("LSTM", variants={"CuDNNLSTM": CUDNN_ACTIVATIONS})
class LSTMConfig(RecurrentConfig):
    """Long short-term memory: gates i, f, c, o; states h and c."""

    gates: ClassVar[int] = 4
    states: ClassVar[int] = 2

    recurrent_activation: ActivationName = "sigmoid"
    unit_forget_bias: bool = True
    """The forget gate's bias starts at one (whatever bias_initializer says)."""


@layer_kind("GRU", variants={"CuDNNGRU": {**CUDNN_ACTIVATIONS, "reset_after": True}})
class GRUConfig(RecurrentConfig):
    """Gated recurrent unit: gates z, r, h. With reset_after (Keras 3's default, and
    cuDNN's), the reset gate applies after the recurrent kernel, and the input and
    recurrent parts keep a bias each: a (2, 3 * units) bias."""

    gates: ClassVar[int] = 3

    recurrent_activation: ActivationName = "sigmoid"
    reset_after: bool = True

    @classmethod
    def from_keras2(cls, config: dict[str, Any]) -> None:
        super().from_keras2(config)
        config.setdefault("reset_after", False)  # Keras < 2.1.3 wrote no reset_after: its GRU had none

    def bias_shape(self) -> tuple[int, ...]:
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)


class RecurrentLayerObject(LayerObject):
    """A recurrent layer inside a wrapper (Bidirectional's `layer`): {class_name, config}."""

    config: RecurrentConfig


_OBJECTS = tuple(object_model(RecurrentLayerObject, c) for c in (SimpleRNNConfig, LSTMConfig, GRUConfig))
_OBJECT_UNION = Union[_OBJECTS]  # noqa: UP007
RecurrentObject = Annotated[
    _OBJECT_UNION, LazyUnion(_OBJECTS, schema_type=Annotated[_OBJECT_UNION, Field(discriminator="class_name")])
]

CELL_NAMES = {"SimpleRNN": "simple_rnn_cell", "LSTM": "lstm_cell", "GRU": "gru_cell"}
"""The name Keras 3 gives each kind's cell: a part of its weights' paths."""

MergeMode = Literal["concat", "sum", "mul", "ave"]


@layer_kind("Bidirectional")
class BidirectionalConfig(LayerConfig):
    """A recurrent layer run forwards and a copy of it backwards, their outputs merged
    (the backward one put back in time order). `backward_layer`: another layer for the
    backward pass (Keras writes the copy it made)."""

    layer: RecurrentObject
    merge_mode: MergeMode | None = "concat"
    backward_layer: RecurrentObject | None = None

    @model_validator(mode="after")
    def _directions_agree(self) -> BidirectionalConfig:
        forward, backward = self.forward.config, self.backward.config
        if forward.go_backwards == backward.go_backwards:
            raise ValueError("the forward and backward layers need different go_backwards values (as Keras requires)")
        for field in ("return_sequences", "return_state", "stateful"):
            if getattr(forward, field) != getattr(backward, field):
                raise ValueError(f"the forward and backward layers need the same {field} (as Keras requires)")
        if forward.units != backward.units:
            # Keras 3 gives the output the shape of the forward layer's (doubled for concat):
            # the layers after it would be built for the wrong width
            raise ValueError(
                f"the forward and backward layers need the same units ({forward.units} and {backward.units}): "
                "Keras 3 shapes the output from the forward layer alone"
            )
        return self._without_mirror()

    def _without_mirror(self) -> BidirectionalConfig:
        """Keras writes the backward copy it made; where it is that copy, the spec keeps
        only `layer` (named without forward_), from which Keras makes both again."""
        backward = self.backward_layer
        base = self.layer.config.name.removeprefix("forward_")
        if backward is None or backward.class_name != self.layer.class_name:
            return self
        mirror = self.layer.config.model_copy(
            update={"name": f"backward_{base}", "go_backwards": not self.layer.config.go_backwards}
        )
        if backward.config != mirror:
            return self
        layer = self.layer.model_copy(update={"config": self.layer.config.model_copy(update={"name": base})})
        return self.model_copy(update={"layer": layer, "backward_layer": None})

    @property
    def forward(self) -> RecurrentLayerObject:
        """The forward layer as Keras builds it: named forward_<name>."""
        name = f"forward_{self.layer.config.name.removeprefix('forward_')}"
        return self.layer.model_copy(update={"config": self.layer.config.model_copy(update={"name": name})})

    @property
    def backward(self) -> RecurrentLayerObject:
        """The backward layer: the one given, or the forward one reading backwards."""
        if self.backward_layer is not None:
            return self.backward_layer
        name = f"backward_{self.layer.config.name.removeprefix('backward_')}"
        config = self.layer.config.model_copy(update={"name": name, "go_backwards": not self.layer.config.go_backwards})
        return self.layer.model_copy(update={"config": config})

    def output_shapes(self, inputs: Sequence[Shape]) -> tuple[Shape, ...]:
        forward = self.forward.config.output_shapes(inputs)
        backward = self.backward.config.output_shapes(inputs)
        if self.merge_mode is None:
            return (forward[0], backward[0], *forward[1:], *backward[1:])
        units = forward[0][-1] + backward[0][-1] if self.merge_mode == "concat" else forward[0][-1]  # type: ignore[operator]
        merged = (*forward[0][:-1], units)
        return (merged, *forward[1:], *backward[1:])

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        return self.output_shapes(inputs)[0]

    def build_weights(self, inputs: Sequence[Shape]) -> list[WeightSpec]:
        """Each direction's weights, named by their Keras path below the wrapper
        (forward_lstm/lstm_cell/kernel) and saved under forward_layer/cell."""
        out = []
        for side, wrapped in (("forward_layer", self.forward), ("backward_layer", self.backward)):
            prefix = f"{wrapped.config.name}/{CELL_NAMES[wrapped.class_name]}"
            out += [
                replace(w, name=f"{prefix}/{w.name}", owner=f"{side}/{w.owner}")
                for w in wrapped.config.weights(inputs)  # a frozen direction keeps its weights frozen
            ]
        return out
