"""Writing outputs so that nothing is lost: a complete new file replaces an old one, or nothing does.

Every file strokebot writes (exports, previews, model files, training checkpoints) is first written
to a temporary file beside its destination (``.NAME.XXXX.part``), flushed to disk, and renamed over
the destination only when complete. A failure or an interrupt removes the temporary file and leaves
the destination as it was; a machine never sees half a G-code file. Only a hard kill (``kill -9``,
power loss) can leave a ``.part`` file behind, and never in the destination's place.
"""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from strokebot.errors import ExportError
from strokebot.paths import check_output

__all__ = ["atomic_writer", "write_bytes", "write_files", "check_writable", "interrupts_deferred"]


@contextlib.contextmanager
def atomic_writer(path: str | Path) -> Iterator[BinaryIO]:
    """Open a temporary file beside ``path``; rename it over ``path`` only if the block succeeds.

    On any error, or an interrupt, the temporary file is removed and ``path`` is left as it was.

    Raises:
        ExportError: the folder does not exist or cannot be written, ``path`` is a folder, or
            writing fails (a full disk, say).
    """
    target = _target(path)
    handle, temporary = _open_temporary(target)
    try:
        with handle:
            yield handle
            _flush(handle)
        _commit(temporary, target)
    except OSError as error:
        _discard(temporary)
        raise ExportError(f"{path}: cannot write ({error.strerror or error})") from error
    except BaseException:
        _discard(temporary)
        raise


def write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically.

    Raises:
        ExportError: ``path`` cannot be written (the message says why); it is left as it was.
    """
    write_files([(path, data)])


def write_files(files: Sequence[tuple[str | Path, bytes]]) -> None:
    """Write several files, each atomically, renaming them into place only once all are complete.

    So a run that fails on its last output (a full disk, say) leaves none of the new files, and
    Ctrl-C or SIGTERM while they are renamed waits until all are.

    Raises:
        ExportError: a file cannot be written; no destination was touched (unless a rename fails
            after the files were written, which takes someone changing the folder meanwhile).
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for path, data in files:
            target = _target(path)
            handle, temporary = _open_temporary(target)
            staged.append((temporary, target))
            try:
                with handle:
                    handle.write(data)
                    _flush(handle)
            except OSError as error:
                raise ExportError(f"{path}: cannot write ({error.strerror or error})") from None
        with interrupts_deferred():  # every file renamed, or none
            while staged:
                temporary, target = staged[0]
                try:
                    _commit(temporary, target)
                except IsADirectoryError:
                    raise ExportError(f"{target}: is a folder") from None
                except OSError as error:
                    raise ExportError(f"{target}: cannot write ({error.strerror or error})") from None
                staged.pop(0)
    finally:
        for temporary, _ in staged:
            _discard(temporary)


def check_writable(path: str | Path) -> None:
    """Check, by creating and removing a temporary file, that ``path`` could be written.

    Permissions alone do not tell (root may write anywhere, a read-only mount refuses everyone).

    Raises:
        ExportError: the folder is missing, is not a folder, cannot be written, or ``path`` is a folder.
        UsageError: ``path`` names a device, a pipe or a socket, a symbolic link loop, or is too long.
    """
    handle, temporary = _open_temporary(_target(path))
    handle.close()
    _discard(temporary)


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) and SIGTERM until the block is done, then deliver them as they would have been.

    For short steps that must happen whole, such as renaming a set of finished files into place and
    counting them. Outside the main thread, where signals cannot be handled, it does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []
    signals = (signal.SIGINT, signal.SIGTERM)
    previous = {signum: signal.signal(signum, lambda signum, frame: held.append(signum)) for signum in signals}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if held:
            handler = previous[held[0]]
            if callable(handler):
                handler(held[0], None)  # Python's own for SIGINT raises KeyboardInterrupt
            elif handler == signal.SIG_DFL:
                os.kill(os.getpid(), held[0])


def _target(path: str | Path) -> Path:
    """Where ``path`` really is: through a symbolic link, so the link is kept and its file replaced.

    Raises:
        UsageError: ``path`` names a device, a pipe or a socket, a symbolic link loop, or is too long.
    """
    check_output(path)
    path = Path(path)
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _folder(path: Path) -> Path:
    return path.parent if str(path.parent) else Path(".")


def _open_temporary(path: Path) -> tuple[BinaryIO, Path]:
    if path.is_dir():
        raise ExportError(f"{path}: is a folder")
    folder = _folder(path)
    if not folder.is_dir():
        problem = "is not a folder" if folder.exists() or _under_a_file(folder) else "does not exist"
        raise ExportError(f"{path}: output folder {folder} {problem}")
    try:
        # The temporary name is longer than the file's: shorten a long one to stay within the file system's limit.
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name[:200]}.", suffix=".part", dir=folder)
    except OSError as error:
        raise ExportError(f"{path}: cannot write to {folder} ({error.strerror or error})") from None
    return os.fdopen(fd, "wb"), Path(temporary)


def _under_a_file(folder: Path) -> bool:
    return any(parent.is_file() for parent in folder.parents) or folder.is_file()


def _flush(handle: BinaryIO) -> None:
    handle.flush()
    os.fsync(handle.fileno())


def _commit(temporary: Path, path: Path) -> None:
    """Rename ``temporary`` over ``path``, keeping the permissions of a file it replaces."""
    try:
        mode = os.stat(path).st_mode & 0o777
    except OSError:
        mode = 0o666 & ~_umask()
    os.chmod(temporary, mode)
    os.replace(temporary, path)
    # The rename itself reaches the disk only with the folder; without this a power cut could
    # bring back the old file (or none) after the run reported success.
    with contextlib.suppress(OSError):
        fd = os.open(_folder(path), os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _discard(temporary: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(temporary)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
