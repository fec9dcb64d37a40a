"""Normalising a contribution's distinct values on two cores before its records are laid out.

The normalisers are pure Python (phonenumbers, date and name rules): one process uses one
core. When a contribution holds many distinct texts, a forked child normalises half of them
(or another share) while this process does the rest; the child sends its results back through
a pipe and both go into the contribution's `ValueMemo`, which the record loop then only reads.
Every result is exactly what `normalise_value` gives in this process (the child is a copy of
it, and the normalisers depend only on the text, the context and the day). Where fork is
not available, or the child fails in any way (or is not done well after this process finished
its own half), this process normalises that half itself.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import sys
import time
from collections.abc import Callable
from typing import Any

#: Fewer distinct texts than this are not worth a second process (fork and pickling ~50 ms).
PARALLEL_MIN = 20_000

#: Seconds the child is waited for at least, after this process finished its own half.
MIN_WAIT = 10.0

Item = tuple[str, str]  # (value type, text)
Result = tuple[Any, ...]  # (normalised, reason, flags, extra JSON)


def normalise_in_two(
    items: list[Item],
    normalise: Callable[[str, str], Result],
    meanwhile: Callable[[], None] | None = None,
    share: float = 0.5,
) -> list[Result]:
    """`normalise(type, text)` for each item, part of them in a forked child; results in order.

    This process takes a `share` of the items (half by default, spread evenly) and first runs
    `meanwhile` (work of its own that needs no result, done while the child normalises)."""
    if len(items) < PARALLEL_MIN or not hasattr(os, "fork") or sys.platform == "win32":
        if meanwhile is not None:
            meanwhile()
        return [normalise(t, x) for t, x in items]
    here = [int((i + 1) * share) > int(i * share) for i in range(len(items))]
    theirs = [item for item, mine_too in zip(items, here, strict=True) if not mine_too]
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        if meanwhile is not None:
            meanwhile()
        return [normalise(t, x) for t, x in items]
    if pid == 0:  # the child: normalise its half, send it, and leave without cleaning up
        code = 1
        try:
            os.close(read_end)
            data = pickle.dumps([normalise(t, x) for t, x in theirs], protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(data)
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    started = time.monotonic()
    if meanwhile is not None:
        try:
            meanwhile()
        except BaseException:  # no child left behind
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            os.close(read_end)
            raise
    mine = [normalise(t, x) for (t, x), mine_too in zip(items, here, strict=True) if mine_too]
    deadline = time.monotonic() + max(MIN_WAIT, 2 * (time.monotonic() - started))
    data, finished = _read_until(read_end, deadline)
    if not finished:  # a child stuck (say, on a lock another thread held at the fork): end it
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    others: list[Result] | None = None
    if finished and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
        try:
            loaded = pickle.loads(data)
        except Exception:  # a truncated or garbled answer: do that half here
            loaded = None
        if isinstance(loaded, list) and len(loaded) == len(theirs):
            others = loaded
    if others is None:
        others = [normalise(t, x) for t, x in theirs]
    mine_left, others_left = iter(mine), iter(others)
    return [next(mine_left) if mine_too else next(others_left) for mine_too in here]


def _read_until(fd: int, deadline: float) -> tuple[bytes, bool]:
    """Everything written to a pipe until it closes, and whether it closed before the deadline."""
    chunks: list[bytes] = []
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return b"", False
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return b"".join(chunks), True
            chunks.append(chunk)
    finally:
        os.close(fd)
