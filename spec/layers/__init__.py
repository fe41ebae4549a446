"""Layer kinds by family. A family module is imported when a spec first names one of its
kinds: building the pydantic models of all fourteen families was two thirds of nnspec's
start-up, and a spec names a few. `FAMILY_NAMES` says which family defines which Keras
class_names (kinds and their aliases); operation kinds (Keras 3's `x + y`, `ops.mean`,
89 of them) are named by their `ops.`/`activations.` prefix. Family files are still
discovered: every one found is imported when all kinds are asked for, and a test keeps
the table equal to what the families register."""

import importlib
import pkgutil
import sys

from .base import (
    LAYER_ALIASES,
    LAYER_KINDS,
    FamilyRegistry,
    LayerConfig,
    ParamCount,
    Shape,
    ShapeError,
    WeightSpec,
    show,
)

OPERATIONS = "operations"
OPERATION_PREFIXES = ("ops.", "activations.")
"""How a spec names an operation kind (`ops.add`, `activations.relu`)."""

FAMILY_NAMES: dict[str, tuple[str, ...]] = {
    "activations": ("ELU", "LeakyReLU", "PReLU", "ReLU", "Softmax"),
    "applications": ("CustomScaleLayer", "LayerScale"),
    "attention": ("AdditiveAttention", "Attention", "MultiHeadAttention"),
    "convolution": (
        *("Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose"),
        *("DepthwiseConv1D", "DepthwiseConv2D", "SeparableConv1D", "SeparableConv2D"),
        *("Convolution1D", "Convolution2D", "Convolution3D", "SeparableConvolution1D", "SeparableConvolution2D"),
        *("Convolution1DTranspose", "Convolution2DTranspose", "Convolution3DTranspose"),
        *("Deconvolution2D", "Deconvolution3D"),
    ),
    "core": ("Activation", "Dense", "Dropout", "Flatten", "InputLayer", "Reshape"),
    "embedding": ("Embedding", "Masking"),
    "merging": ("Add", "Average", "Concatenate", "Dot", "Maximum", "Minimum", "Multiply", "Subtract"),
    "normalization": ("BatchNormalization", "LayerNormalization"),
    "pooling": (
        *("MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D", "AveragePooling3D"),
        *("GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D"),
        *("GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D"),
        *("MaxPool1D", "MaxPool2D", "MaxPool3D", "AvgPool1D", "AvgPool2D", "AvgPool3D"),
        *("GlobalMaxPool1D", "GlobalMaxPool2D", "GlobalMaxPool3D"),
        *("GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalAvgPool3D"),
    ),
    "preprocessing": ("Normalization", "Rescaling"),
    "recurrent": ("Bidirectional", "GRU", "LSTM", "SimpleRNN", "CuDNNGRU", "CuDNNLSTM"),
    "regularization": (
        *("ActivityRegularization", "GaussianDropout", "GaussianNoise", "Identity"),
        *("SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D"),
    ),
    "reshaping": (
        *("Cropping1D", "Cropping2D", "Cropping3D", "UpSampling1D", "UpSampling2D", "UpSampling3D"),
        *("ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D", "Permute", "RepeatVector"),
    ),
    "wrappers": ("TimeDistributed",),
}
"""Family module -> the class_names (kinds and aliases) it registers."""

FAMILIES = sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name != "base")
_FAMILY_OF = {name: family for family, names in FAMILY_NAMES.items() for name in names}


class _Loader:
    """Imports families for the registries (see base.FamilyRegistry)."""

    def family_of(self, name: str) -> bool:
        family = OPERATIONS if name.startswith(OPERATION_PREFIXES) else _FAMILY_OF.get(name)
        if family is None or f"{__name__}.{family}" in sys.modules:
            return False
        importlib.import_module(f"{__name__}.{family}")
        return True

    def every_family(self) -> None:
        for family in FAMILIES:
            importlib.import_module(f"{__name__}.{family}")


FamilyRegistry.loader = _Loader()


def load_operations() -> None:
    importlib.import_module(f"{__name__}.{OPERATIONS}")


def kind_config(kind: str) -> type[LayerConfig] | None:
    """The config class of a kind, importing its family on first use."""
    return LAYER_KINDS.get(kind)


def all_kinds() -> dict[str, type[LayerConfig]]:
    """Every kind nnspec has (every family imported)."""
    return LAYER_KINDS.complete()


__all__ = [
    "FAMILIES",
    "FAMILY_NAMES",
    "LAYER_ALIASES",
    "LAYER_KINDS",
    "OPERATION_PREFIXES",
    "LayerConfig",
    "ParamCount",
    "Shape",
    "ShapeError",
    "WeightSpec",
    "all_kinds",
    "kind_config",
    "load_operations",
    "show",
]
