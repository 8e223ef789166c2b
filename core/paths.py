"""Checking the paths a user names, before any long work starts.

Every command and the window use these, so every path problem is one sentence: a name too long
for the file system, a folder where a file is expected (or the reverse), a special file, a place
that cannot be written (read-only, /proc, /sys, no permission). Output locations are tried for
real (a probe file is created and removed), since permission bits and mount flags can mislead.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from .errors import UserError

_REASONS = {
    errno.ENAMETOOLONG: "the name is too long for the file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "the disk is read-only",
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.ENOTDIR: "part of the path is a file, not a folder",
    errno.ELOOP: "the path loops through symbolic links",
    errno.ENOENT: "it does not exist",
    errno.EISDIR: "it is a folder",
}


def shown(path: str | os.PathLike, limit: int = 60) -> str:
    """A path as the user gave it, shortened in the middle when it is absurdly long."""
    text = os.fspath(path)
    return text if len(text) <= limit else f"{text[: limit // 2]}…{text[-(limit // 2):]}"


def reason(exc: OSError) -> str:
    return _REASONS.get(exc.errno or 0, (exc.strerror or str(exc)).rstrip(".").lower())


def _a(noun: str) -> str:
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def _stat(p: Path, what: str) -> os.stat_result | None:
    try:
        return p.stat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ENOTDIR:
            return None
        raise UserError(f"the {what} “{shown(p)}” cannot be used: {reason(exc)}.") from None


def check_input_file(path: str | os.PathLike, what: str = "file") -> Path:
    """A regular, readable file, or one sentence saying why not."""
    p = Path(path).expanduser()
    st = _stat(p, what)
    if st is None:
        raise UserError(f"the {what} “{shown(p)}” does not exist.")
    if stat.S_ISDIR(st.st_mode):
        raise UserError(f"“{shown(p)}” is a folder, not {_a(what)}.")
    if not stat.S_ISREG(st.st_mode):
        raise UserError(f"“{shown(p)}” is a special file (a device, pipe or socket), not {_a(what)}.")
    if not os.access(p, os.R_OK):
        raise UserError(f"the {what} “{shown(p)}” cannot be read: permission denied.")
    return p


def _probe_folder(folder: Path, what: str) -> None:
    """Create and remove a file in ``folder``: the only sure test that it can be written."""
    probe = folder / f".fooling-lab-probe-{os.getpid()}"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        why = "it does not take new files (a system folder)" if exc.errno == errno.ENOENT else reason(exc)
        raise UserError(f"cannot write in the folder “{shown(folder)}” for the {what}: {why}.") from None


def check_output_file(path: str | os.PathLike, *, default_name: str, suffix: str | None = None,
                      what: str = "output file") -> Path:
    """Where to write a file: checked (and tried) now, before the work that produces it.

    An existing folder means "inside it, under ``default_name``"; a missing ``suffix`` is added.
    """
    p = Path(path).expanduser()
    st = _stat(p, what)
    if st is not None and stat.S_ISDIR(st.st_mode):
        p = p / default_name
        st = _stat(p, what)
    elif st is not None and not stat.S_ISREG(st.st_mode):
        raise UserError(f"“{shown(p)}” is a special file, not a regular file; name another for the {what}.")
    if suffix and p.suffix.lower() != suffix:
        p = p.with_name(p.name + suffix)
        st = _stat(p, what)
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise UserError(f"“{shown(p)}” is a folder; name a file for the {what}.")
        if not stat.S_ISREG(st.st_mode):
            raise UserError(f"“{shown(p)}” is a special file, not a regular file; name another for the {what}.")
    _check_name(p, what)
    folder = p.parent if str(p.parent) else Path(".")
    fst = _stat(folder, what)
    if fst is None:
        raise UserError(f"the folder “{shown(folder)}” does not exist.")
    if not stat.S_ISDIR(fst.st_mode):
        raise UserError(f"“{shown(folder)}” is a file, not a folder.")
    _probe_folder(folder, what)
    return p


def check_output_folder(path: str | os.PathLike, *, what: str = "output folder", create: bool = True) -> Path:
    """A folder to write into: created when missing (its parent must exist), then tried."""
    p = Path(path).expanduser()
    _check_name(p, what)
    st = _stat(p, what)
    if st is not None and not stat.S_ISDIR(st.st_mode):
        raise UserError(f"“{shown(p)}” is a file, not a folder.")
    if st is None:
        parent = p.parent if str(p.parent) else Path(".")
        pst = _stat(parent, what)
        if pst is None:
            raise UserError(f"the folder “{shown(parent)}” does not exist.")
        if not stat.S_ISDIR(pst.st_mode):
            raise UserError(f"“{shown(parent)}” is a file, not a folder.")
        if not create:
            raise UserError(f"the folder “{shown(p)}” does not exist.")
        try:
            p.mkdir()
        except FileExistsError:
            pass
        except OSError as exc:
            raise UserError(f"cannot create the folder “{shown(p)}”: {reason(exc)}.") from None
    _probe_folder(p, what)
    return p


def _check_name(p: Path, what: str) -> None:
    folder = p.parent if str(p.parent) else Path(".")
    try:
        limit = os.pathconf(folder if folder.exists() else ".", "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        limit = 255
    for part in p.parts:
        if len(os.fsencode(part)) > limit:
            raise UserError(f"the name “{shown(part, 40)}” is too long for the file system "
                            f"({len(os.fsencode(part))} bytes; at most {limit}).")
