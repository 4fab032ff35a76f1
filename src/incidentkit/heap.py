"""Bulk loops that leave the long-lived heap out of Python's full garbage collections.

A geocoding run allocates a few objects per name that live on (its answers, memoised); every so often
CPython then runs a full collection, which walks every container in the process: the gazetteer's
record columns (lists of a million or more strings once many countries are open), the modules
pandas and pyarrow import, and the answers so far. On 100,000 names across all countries those
collections took a fifth of the run (about 1 s of 5-8 s) and found nothing to free: the index is
not garbage.

:func:`long_lived_frozen` moves the objects that exist when a bulk loop starts into CPython's
permanent generation (:func:`gc.freeze`) and back when it ends (:func:`gc.unfreeze`), so collections
during the loop walk only what the loop made. Garbage made during the loop is collected as usual;
garbage among the frozen objects waits until the loop ends. Nested and concurrent uses are counted:
the heap is unfrozen when the last one ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0


@contextmanager
def long_lived_frozen() -> Iterator[None]:
    """Within the block, full garbage collections skip the objects that existed when it began."""
    global _depth
    with _lock:
        if _depth == 0:
            gc.freeze()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.unfreeze()
