"""A pause of Python's cyclic garbage collector around steps that only allocate.

Joining 100,000 sites allocates millions of small dicts and tuples that hold
no reference cycles. The collector's full passes then walk every live object
(the log, the catalog, the frames) again and again: ~1.7 s of a 5 s join,
measured in benchmarks/. Reference counting still frees everything at once;
only cycles wait, and the collector runs again when the step ends.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the body with the cyclic collector off, restoring its previous state after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
