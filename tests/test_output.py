"""strokebot.output: a complete new file replaces the old one, or nothing changes at all."""

from __future__ import annotations

import errno
import os
import stat

import pytest

from strokebot.errors import ExportError
from strokebot.output import atomic_writer, check_writable, write_bytes, write_files

OLD = b"old contents, which a failed write must keep\n"


def leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


def test_write_replaces_and_keeps_permissions(tmp_path):
    target = tmp_path / "plot.gcode"
    target.write_bytes(OLD)
    target.chmod(0o640)
    write_bytes(target, b"G0 X1\n")
    assert target.read_bytes() == b"G0 X1\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    fresh = tmp_path / "new.svg"
    write_bytes(fresh, b"<svg/>")
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~mask
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("step", ["write", "fsync", "replace"])
def test_a_failure_at_any_step_keeps_the_old_file(tmp_path, monkeypatch, step):
    target = tmp_path / "plot.gcode"
    target.write_bytes(OLD)

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    if step == "write":
        with pytest.raises(ExportError, match="No space left on device"), atomic_writer(target) as handle:
            handle.write(b"G0 X1\n")
            full_disk()
    else:
        monkeypatch.setattr(os, step, full_disk)
        with pytest.raises(ExportError, match=r"plot.gcode: cannot write \(No space left on device\)"):
            write_bytes(target, b"G0 X1\n" * 1000)
    monkeypatch.undo()
    assert target.read_bytes() == OLD
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("where", ["inside", "at the rename"])
def test_an_interrupt_keeps_the_old_file(tmp_path, monkeypatch, where):
    target = tmp_path / "plot.gcode"
    target.write_bytes(OLD)

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        if where == "inside":
            with atomic_writer(target) as handle:
                handle.write(b"half a progr")
                interrupt()
        else:
            monkeypatch.setattr(os, "replace", interrupt)
            write_bytes(target, b"G0 X1\n")
    monkeypatch.undo()
    assert target.read_bytes() == OLD
    assert leftovers(tmp_path) == []


def test_write_files_is_all_or_nothing(tmp_path):
    first, second = tmp_path / "a.gcode", tmp_path / "missing" / "a.svg"
    first.write_bytes(OLD)
    with pytest.raises(ExportError, match="output folder .*missing does not exist"):
        write_files([(first, b"new"), (second, b"<svg/>")])
    assert first.read_bytes() == OLD and not second.exists()
    assert leftovers(tmp_path) == []
    write_files([(first, b"new"), (tmp_path / "a.svg", b"<svg/>")])
    assert first.read_bytes() == b"new" and (tmp_path / "a.svg").read_bytes() == b"<svg/>"


def test_a_symbolic_link_is_kept_and_its_file_replaced(tmp_path):
    real = tmp_path / "machine" / "job.gcode"
    real.parent.mkdir()
    real.write_bytes(OLD)
    link = tmp_path / "current.gcode"
    link.symlink_to(real)
    write_bytes(link, b"G0 X2\n")
    assert link.is_symlink() and real.read_bytes() == b"G0 X2\n"
    assert leftovers(real.parent) == [] and leftovers(tmp_path) == []


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda t: t / "nowhere" / "x.gcode", "output folder .*nowhere does not exist"),
        (lambda t: (t / "notes.txt").write_text("x") and t / "notes.txt" / "x.gcode", "output folder .*notes.txt is not a folder"),
        (lambda t: (t / "out").mkdir() or t / "out", "out: is a folder"),
    ],
)
def test_check_writable_and_write_refuse_clearly(tmp_path, make, message):
    target = make(tmp_path)
    with pytest.raises(ExportError, match=message):
        check_writable(target)
    with pytest.raises(ExportError, match=message):
        write_bytes(target, b"x")
    assert leftovers(tmp_path) == []


def test_check_writable_tries_for_real(tmp_path):
    check_writable(tmp_path / "x.gcode")
    assert list(tmp_path.iterdir()) == []
    if os.path.isdir("/sys/fs"):  # a folder that refuses new files even to root
        try:
            check_writable("/sys/fs/x.gcode")
        except ExportError as error:
            assert "cannot write to /sys/fs" in str(error)


def test_ctrl_c_while_renaming_waits_until_every_file_is_in_place(tmp_path, monkeypatch):
    import signal

    from strokebot import output

    real = output._commit
    renamed = []

    def commit_then_ctrl_c(temporary, path):
        real(temporary, path)
        renamed.append(path.name)
        if len(renamed) == 1:
            os.kill(os.getpid(), signal.SIGINT)  # arrives between the two renames

    monkeypatch.setattr(output, "_commit", commit_then_ctrl_c)
    # Ctrl-C as a terminal delivers it, even where the tests run as a background job (SIGINT ignored).
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            write_files([(tmp_path / "a.gcode", b"a"), (tmp_path / "a.svg", b"b")])
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGINT, previous)
    assert renamed == ["a.gcode", "a.svg"]
    assert (tmp_path / "a.svg").read_bytes() == b"b" and leftovers(tmp_path) == []
