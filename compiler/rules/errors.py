"""The one error a kind rule raises."""

from __future__ import annotations


class Unmappable(ValueError):
    """A config this target cannot reproduce; the message says what and why.
    The lowering turns it into a SpecError at the layer's path."""

    def __init__(self, message: str, hint: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint
        self.field = field
        """The config field at fault, where one is: the error's path then ends in it."""
