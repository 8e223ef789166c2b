"""Fetching a torchvision classifier's weights once, into torch's hub cache, as a job."""

from __future__ import annotations

import hashlib
import os
import re
import urllib.request
from dataclasses import dataclass
from typing import Iterator

from . import download
from .errors import UserError
from .jobs import CancelToken, Frame
from .models import DOWNLOAD_TIMEOUT_S, availability, get_spec


@dataclass(frozen=True)
class DownloadFrame(Frame):
    name: str = ""
    received: int = 0
    size: int = 0  # 0 when the server does not say


def download_job(name: str, *, cancel: CancelToken | None = None, url: str | None = None,
                 timeout: float = DOWNLOAD_TIMEOUT_S) -> Iterator[DownloadFrame]:
    """Fetch a torchvision model's weights into torch's hub cache, yielding progress.

    The file is checked against the hash prefix in its name (as torchvision names them) and only
    then moved into place, so an interrupted download never leaves a broken checkpoint behind.
    """
    spec = get_spec(name)
    if spec.source != "torchvision":
        ok, _ = availability(name)
        yield DownloadFrame(step=1, total=1, done=True, name=name,
                            message=f"{spec.title} ships with Fooling Lab; nothing to download." if ok
                            else f"{spec.title} cannot be downloaded.")
        return
    cancel = cancel or CancelToken()
    target = spec.weights()
    if target.is_file():
        yield DownloadFrame(step=1, total=1, done=True, name=name, message=f"{spec.title} is already cached.")
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    src = url or spec.url
    tmp = target.with_suffix(target.suffix + ".part")
    digest = hashlib.sha256()
    try:
        received = yield from download.relay(
            download.stream(src, tmp, digest, cancel=cancel, timeout=timeout),
            lambda got, size: DownloadFrame(step=got, total=size, name=name, received=got, size=size,
                                            message=f"downloading {spec.title}"))
    except UserError:
        raise
    except download.NETWORK_ERRORS as exc:
        raise UserError(f"could not download {spec.title}: no connection to {urllib.request.urlparse(src).netloc}"
                        " (is this computer online?).") from exc
    m = re.search(r"-([a-f0-9]{6,})\.", os.path.basename(src))
    if m and not digest.hexdigest().startswith(m.group(1)):
        tmp.unlink(missing_ok=True)
        raise UserError(f"the download of {spec.title} was corrupted (checksum mismatch); try again.")
    os.replace(tmp, target)
    yield DownloadFrame(step=received, total=received, done=True, name=name, received=received,
                        size=received, message=f"{spec.title} saved to {target}")
