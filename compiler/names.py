"""Safe, unique Python identifiers for names that come from a spec.

A Keras layer name can be any string: quotes, newlines, keywords, unicode. Every
name that becomes an identifier in generated code passes through a Namespace;
every name that appears as a string goes through `repr()`. Nothing from a spec
ever reaches generated code unescaped."""

from __future__ import annotations

import builtins
import keyword
import re
import unicodedata
from collections.abc import Iterable

# Attributes of torch.nn.Module (as of torch 2.13): a submodule may not shadow them.
MODULE_ATTRIBUTES = frozenset(
    [
        "T_destination",
        "add_module",
        "apply",
        "bfloat16",
        "buffers",
        "call_super_init",
        "children",
        "compile",
        "cpu",
        "cuda",
        "double",
        "dump_patches",
        "eval",
        "extra_repr",
        "float",
        "forward",
        "get_buffer",
        "get_extra_state",
        "get_parameter",
        "get_submodule",
        "half",
        "ipu",
        "load_state_dict",
        "modules",
        "mtia",
        "named_buffers",
        "named_children",
        "named_modules",
        "named_parameters",
        "parameters",
        "register_backward_hook",
        "register_buffer",
        "register_forward_hook",
        "register_forward_pre_hook",
        "register_full_backward_hook",
        "register_full_backward_pre_hook",
        "register_load_state_dict_post_hook",
        "register_load_state_dict_pre_hook",
        "register_module",
        "register_parameter",
        "register_state_dict_post_hook",
        "register_state_dict_pre_hook",
        "requires_grad_",
        "set_extra_state",
        "set_submodule",
        "share_memory",
        "state_dict",
        "to",
        "to_empty",
        "train",
        "training",
        "type",
        "xpu",
        "zero_grad",
        "reset_parameters",
        "regularization_loss",
        "apply_constraints",
    ]
)

# Names the generated files use themselves.
GENERATED_NAMES = frozenset(
    {"self", "torch", "nn", "F", "np", "keras", "layers", "ops", "math", "model", "x", "futures"}
)

_NOT_WORD = re.compile(r"[^0-9a-zA-Z_]+")


def identifier(text: str, fallback: str = "layer") -> str:
    """The closest plain ASCII identifier: 'Dense #1' -> 'Dense_1', '1st' -> 'layer_1st'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    name = _NOT_WORD.sub("_", ascii_text).strip("_")
    if not name:
        return fallback
    if name[0].isdigit():
        name = f"{fallback}_{name}"
    return name


class Namespace:
    """Hands out unique identifiers, never a keyword, a builtin or a reserved name."""

    def __init__(self, reserved: Iterable[str] = ()) -> None:
        self._taken: set[str] = set(reserved) | GENERATED_NAMES
        self._given: dict[object, str] = {}

    def name(self, text: str, key: object = None, fallback: str = "layer") -> str:
        """A fresh identifier for `text`; the same `key` always gets the same one."""
        if key is not None and key in self._given:
            return self._given[key]
        base = identifier(text, fallback)
        if keyword.iskeyword(base) or keyword.issoftkeyword(base) or hasattr(builtins, base):
            base += "_"
        candidate, n = base, 1
        while candidate in self._taken:
            n += 1
            candidate = f"{base}_{n}"
        self._taken.add(candidate)
        if key is not None:
            self._given[key] = candidate
        return candidate


def class_name(text: str) -> str:
    """A CamelCase class name: 'iris_functional' -> 'IrisFunctional'."""
    words = identifier(text, "model").split("_")
    name = "".join(w[:1].upper() + w[1:] for w in words if w)
    if keyword.iskeyword(name) or hasattr(builtins, name) or name in GENERATED_NAMES:
        name += "Model"
    return name if not name[0].isdigit() else f"Model{name}"


def pystr(text: str) -> str:
    """A Python string literal for any text, double-quoted where that is as short."""
    literal = repr(text)
    if literal.startswith("'") and '"' not in text:
        return '"' + literal[1:-1] + '"'
    return literal
