"""Streaming a file from the web with progress, cancel and an all-or-nothing result."""

from __future__ import annotations

import time
import urllib.request
from pathlib import Path
from typing import Callable, Generator, Iterator, TypeVar

from .errors import UserError
from .jobs import CancelToken

#: Errors that mean "the network or the server failed", as opposed to a bug.
NETWORK_ERRORS = (OSError, ValueError)  # URLError, timeouts and refused connections are OSErrors

CHUNK = 1 << 16
PROGRESS_EVERY_S = 0.1

T = TypeVar("T")


def stream(url: str, part: Path, digest, *, cancel: CancelToken, timeout: float) -> Iterator[tuple[int, int]]:
    """Copy ``url`` into ``part``, feeding ``digest`` (a hashlib object) on the way.

    Yields ``(received, size)`` at most ten times a second (``size`` is 0 when the server does not
    say); returns the number of bytes received. On any failure, a press of Stop included, the
    partial file is removed before the exception propagates: a ``.part`` file never stays behind.
    """
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp, open(part, "wb") as out:
            size = int(resp.headers.get("Content-Length") or 0)
            received, last = 0, 0.0
            while True:
                if cancel.checkpoint():
                    raise UserError("download stopped.")
                chunk = resp.read(CHUNK)
                if not chunk:
                    return received
                out.write(chunk)
                digest.update(chunk)
                received += len(chunk)
                now = time.monotonic()
                if now - last > PROGRESS_EVERY_S:
                    last = now
                    yield received, size
    except BaseException:
        part.unlink(missing_ok=True)
        raise


def relay(progress: Iterator[tuple[int, int]], frame: Callable[[int, int], T]) -> Generator[T, None, int]:
    """Yield ``frame(received, size)`` for each report of a :func:`stream`; return its byte count.
    Use as ``received = yield from relay(stream(...), make_frame)``."""
    while True:
        try:
            got, size = next(progress)
        except StopIteration as end:
            return end.value
        yield frame(got, size)
