"""Pausing CPython's cyclic garbage collector while nnspec builds many objects at once."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic collection inside (reference counting still frees everything it can).

    Loading a spec allocates a few objects per layer and frees almost none, which is
    what triggers CPython's full collections; each re-scans everything alive, so a
    10,000-layer spec spent more time collecting than loading. Whatever cyclic garbage
    is left is collected as usual once the collector is back on. Usable as a decorator."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
