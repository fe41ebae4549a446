"""Layers that `keras.applications` defines for its own models: ConvNeXt's LayerScale and
InceptionResNetV2's CustomScaleLayer. Keras writes them with their module
(`keras.src.applications.convnext`); their code is Keras's own, so what they compute is
known (keras/src/applications/convnext.py, inception_resnet_v2.py), and no user code is
needed to read them."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import PositiveInt

from ..initializers import Constant
from .base import LayerConfig, Shape, ShapeError, WeightSpec, layer_kind
from .merging import ElementwiseMerge


@layer_kind("LayerScale")
class LayerScaleConfig(LayerConfig):
    """x * gamma: a learned scale per feature of the last axis, starting at init_values."""

    keras_module = "keras.src.applications.convnext"

    init_values: float
    projection_dim: PositiveInt

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        shape = self.single(inputs)
        if len(shape) < 2 or shape[-1] not in (self.projection_dim, None):
            raise ShapeError(
                f"LayerScale of projection_dim {self.projection_dim} scales a last axis of that size, got {shape}"
            )
        return shape

    def build_weights(self, inputs: Sequence[Shape]) -> list[WeightSpec]:
        start = Constant(class_name="Constant", value=self.init_values)
        return [WeightSpec("variable", (self.projection_dim,), start)]  # LayerScale names it not: Keras's default


@layer_kind("CustomScaleLayer")
class CustomScaleLayerConfig(ElementwiseMerge):
    """inputs[0] + inputs[1] * scale: InceptionResNetV2's residual sum, the branch scaled."""

    keras_module = "keras.src.applications.inception_resnet_v2"
    exact_inputs = 2

    scale: float
