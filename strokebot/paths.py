"""Paths a user names: one clear line for each one the operating system refuses.

A path on the command line may name nothing, a folder, a pipe, a device, a symbolic link that
points back at itself, a name longer than the file system takes, or a file the user may not read.
Each is bad input: an error naming the path and saying which it is, never a traceback, and never
a read that waits for a writer (a pipe) or never ends (``/dev/zero``). Outputs are never written
over anything but a regular file: a device or a pipe in the way is refused, not replaced.

Layer: errors <- paths <- imaging, output, exporters, the command line.

>>> from strokebot.errors import UsageError
>>> try:
...     readable_file("no/such/glyph.png", what="image")
... except UsageError as error:
...     print(error)
no/such/glyph.png: no such file
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from strokebot.errors import StrokebotError, UsageError

__all__ = ["reason", "readable_file", "read_text", "check_output", "regular_file", "real"]

_REASONS = {
    errno.ENOENT: "no such file",
    errno.ELOOP: "symbolic link loop",
    errno.ENAMETOOLONG: "file name too long",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
}


def reason(error: OSError) -> str:
    """What the operating system refused, in a few words (``symbolic link loop``, ``permission denied``)."""
    return _REASONS.get(error.errno or 0) or (error.strerror or str(error)).lower()


def readable_file(path: str | Path, *, what: str = "file", error: type[StrokebotError] = UsageError) -> os.stat_result:
    """Check that ``path`` is a regular file, before anything opens it; its ``stat``.

    A pipe is never opened (the open would wait for a writer) and a device never read (``/dev/zero``
    never ends). ``what`` names the file in the message for a folder ("is a folder, not an image").

    Raises:
        StrokebotError: the ``error`` class given, naming ``path`` and the reason.
    """
    try:
        info = os.stat(path)
    except OSError as refused:
        raise error(f"{path}: {reason(refused)}") from None
    except ValueError:  # a NUL byte in the name
        raise error(f"{path!r}: not a valid file name") from None
    if stat.S_ISDIR(info.st_mode):
        raise error(f"{path}: is a folder, not {_article(what)}")
    if not stat.S_ISREG(info.st_mode):
        raise error(f"{path}: not a regular file (a device, pipe or socket)")
    return info


def read_text(path: str | Path, *, what: str = "file", limit: int = 1 << 20, error: type[StrokebotError] = UsageError) -> str:
    """The UTF-8 text of the regular file ``path``, of at most ``limit`` bytes.

    Raises:
        StrokebotError: the ``error`` class given: not a readable regular file, too large, or not UTF-8.
    """
    info = readable_file(path, what=what, error=error)
    if info.st_size > limit:
        raise error(f"{path}: {info.st_size / 1e6:.3g} MB, more than a {what} may hold ({limit / 1e6:.3g} MB)")
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as refused:
        raise error(f"{path}: {reason(refused)}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as bad:
        raise error(f"{path}: not UTF-8 text (byte {bad.start}); is it {_article(what)}?") from None


def check_output(path: str | Path) -> None:
    """Refuse an output path that names something other than a regular file or nothing yet.

    A symbolic link is followed (its target is what gets replaced); a folder, or a missing one on the
    way, is left to the caller, which says which folder is wrong.

    Raises:
        UsageError: a symbolic link loop, a name too long, a part of the path that is a file, or a
            device, pipe or socket in the way (``-o /dev/null`` would replace the device itself).
    """
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):  # nothing there yet, or a folder on the way that is not one
        return
    except OSError as refused:
        raise UsageError(f"{path}: {reason(refused)}") from None
    except ValueError:
        raise UsageError(f"{path!r}: not a valid file name") from None
    if not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):
        raise UsageError(f"{path}: not a regular file (a device, pipe or socket); strokebot writes files only")


def regular_file(path: str | Path) -> bool:
    """Whether ``path`` is a regular file (through links); False for anything the system refuses."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def real(path: str | Path) -> Path:
    """``path`` with symbolic links followed as far as they go; never raises (a loop stays as it is)."""
    return Path(os.path.realpath(path))


def _article(what: str) -> str:
    return f"an {what}" if what[:1] in "aeiou" else f"a {what}"
