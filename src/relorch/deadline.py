"""A total time limit for a block of work (not per read): SIGALRM, in the main thread."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class DeadlineExceeded(BaseException):
    """The block ran past its deadline; the code that set it turns this into its own error.

    A BaseException, like KeyboardInterrupt: HTTP and template libraries catch Exception
    in places, and must not swallow it.
    """


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise DeadlineExceeded in the block once `seconds` have passed, wherever it is blocked
    (a socket read, a template loop). An enclosing deadline keeps running and still applies.

    Off the main thread (where signals cannot be delivered) the block runs unbounded: callers
    keep their own per-operation timeouts as the fallback.
    """
    if threading.current_thread() is not threading.main_thread() or seconds <= 0:
        yield
        return
    mine = DeadlineExceeded(f"deadline of {seconds:g} s exceeded")

    def expire(signum: int, frame: object) -> None:
        raise mine

    start = time.monotonic()
    previous = signal.signal(signal.SIGALRM, expire)
    outer, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
    if 0 < outer < seconds:  # the enclosing deadline comes first: let it fire as it would
        signal.signal(signal.SIGALRM, previous)
        signal.setitimer(signal.ITIMER_REAL, outer)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer > 0:
            signal.setitimer(signal.ITIMER_REAL, max(outer - (time.monotonic() - start), 1e-3))
