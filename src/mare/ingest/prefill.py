"""Normalising a contribution's distinct values on two cores before its records are laid out.

The normalisers are pure Python (phonenumbers, date and name rules): one process uses one
core. When a contribution holds many distinct texts, a forked child normalises them from the
first on, sending its results back in chunks, while this process first does work of its own
that needs no result (`meanwhile`) and then normalises from the last one back; where the two
meet, the child is ended. Neither waits for the other, so the work splits itself by what each
process has to do and by how fast each one runs. Every result is exactly what `normalise`
gives in this process (the child is a copy of it, and the normalisers depend only on the text,
the context and the day). Where fork is not available, or the child fails, stops or sends
anything unreadable, this process normalises what it did not receive intact itself.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import sys
import threading
from collections.abc import Callable
from typing import Any

#: Fewer distinct texts than this are not worth a second process (fork and pickling ~50 ms).
PARALLEL_MIN = 20_000

#: Results per message from the child: what this process may find half done where the two meet.
CHUNK = 512

Item = tuple[str, str]  # (value type, text)
Result = tuple[Any, ...]  # (normalised, reason, flags, extra JSON)

_HEADER = struct.Struct("<Q")  # a message: its length, then the pickled list of results


def normalise_in_two(
    items: list[Item],
    normalise: Callable[[str, str], Result],
    meanwhile: Callable[[], None] | None = None,
) -> list[Result]:
    """`normalise(type, text)` for each item, the first ones in a forked child; results in order.

    This process first runs `meanwhile` (work of its own that needs no result, done while the
    child normalises), then normalises from the last item back until it reaches what the
    child has sent."""
    if len(items) < PARALLEL_MIN or not hasattr(os, "fork") or sys.platform == "win32":
        if meanwhile is not None:
            meanwhile()
        return [normalise(t, x) for t, x in items]
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        if meanwhile is not None:
            meanwhile()
        return [normalise(t, x) for t, x in items]
    if pid == 0:  # the child: normalise from the first item on, chunk by chunk; leave without cleaning up
        code = 1
        try:
            os.close(read_end)
            for start in range(0, len(items), CHUNK):
                part = [normalise(t, x) for t, x in items[start : start + CHUNK]]
                data = pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL)
                _write_all(write_end, _HEADER.pack(len(data)) + data)
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    inbox: _Inbox | None = None
    try:
        inbox = _Inbox(read_end)
        if meanwhile is not None:
            meanwhile()
        mine: list[Result] = []  # from the last item back
        end = len(items)
        messages = inbox.messages
        while end > len(messages) * CHUNK:
            value_type, text = items[end - 1]
            mine.append(normalise(value_type, text))
            end -= 1
    finally:  # no child left behind: it may be halfway through what this process has done
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        if inbox is not None:
            inbox.close()
        else:
            os.close(read_end)
    theirs: list[Result] = []
    for data in messages[: -(-end // CHUNK)]:
        try:
            part = pickle.loads(data)
        except Exception:  # a garbled message: what it and the later ones hold is done here
            break
        if not isinstance(part, list) or len(part) != min(CHUNK, len(items) - len(theirs)):
            break
        theirs += part
    del theirs[end:]
    theirs += [normalise(t, x) for t, x in items[len(theirs) : end]]
    mine.reverse()
    return theirs + mine


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


class _Inbox:
    """The child's messages, read from its pipe by a thread as they come (the pipe never fills up,
    whatever this process is doing meanwhile)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.messages: list[bytes] = []
        self._thread = threading.Thread(target=self._read, name="mare-prefill-inbox", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            while True:
                header = self._exactly(_HEADER.size)
                if header is None:
                    return
                data = self._exactly(_HEADER.unpack(header)[0])
                if data is None:
                    return
                self.messages.append(data)
        except OSError:
            return

    def _exactly(self, size: int) -> bytes | None:
        chunks: list[bytes] = []
        left = size
        while left:
            chunk = os.read(self.fd, min(left, 1 << 20))
            if not chunk:  # the child ended (or was ended) mid-message: the rest is not used
                return None
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        """Wait for the reader (the child has been ended: the pipe is at its end) and close the pipe."""
        self._thread.join()
        os.close(self.fd)
