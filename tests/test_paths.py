"""strokebot.paths: every path the operating system refuses is one clear error, and nothing waits or is replaced."""

from __future__ import annotations

import builtins
import errno
import os
import stat
from pathlib import Path

import pytest

from strokebot.errors import ExportError, ImageError, UsageError
from strokebot.imaging import read_image
from strokebot.output import write_bytes
from strokebot.paths import check_output, read_text, readable_file, real, reason, regular_file

LONG = "a" * 300


@pytest.fixture
def odd(tmp_path: Path) -> Path:
    """A folder of things that are not regular files: a loop, a pipe, a folder, a link to a device."""
    (tmp_path / "loop").symlink_to("loop")
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "folder").mkdir()
    (tmp_path / "null").symlink_to("/dev/null")
    (tmp_path / "text.toml").write_text("[p]\n")
    return tmp_path


@pytest.fixture
def device(tmp_path: Path) -> Path:
    """A character device node of our own (the same as /dev/null), so no test can harm the real one."""
    node = tmp_path / "device"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, AttributeError, OSError):
        pytest.skip("device nodes can only be made by root")
    return node


@pytest.mark.parametrize(
    "name, message",
    [
        ("missing", "missing: no such file"),
        ("loop", "loop: symbolic link loop"),
        ("pipe", "pipe: not a regular file (a device, pipe or socket)"),
        ("null", "null: not a regular file (a device, pipe or socket)"),
        ("folder", "folder: is a folder, not an image"),
        (LONG, f"{LONG}: file name too long"),
        ("text.toml/x", "text.toml/x: a part of the path is a file, not a folder"),
    ],
)
def test_readable_file_says_what_is_wrong(odd, monkeypatch, name, message):
    monkeypatch.chdir(odd)
    with pytest.raises(ImageError) as caught:
        readable_file(name, what="image", error=ImageError)
    assert str(caught.value) == message
    assert not regular_file(name)


def test_reasons_are_a_few_words():
    assert reason(OSError(errno.ELOOP, "Too many levels of symbolic links")) == "symbolic link loop"
    assert reason(PermissionError(errno.EACCES, "Permission denied")) == "permission denied"
    assert reason(OSError(errno.EIO, "Input/output error")) == "input/output error"


def test_a_file_no_one_may_read_is_one_line(tmp_path, monkeypatch):
    """Root reads anything, so the refusal is the system's own error put in place of the open."""
    path = tmp_path / "secret.png"
    path.write_bytes(b"\x89PNG not really")
    real_open = builtins.open

    def refuse(file, *args, **kwargs):
        if str(file) == str(path):
            raise PermissionError(errno.EACCES, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", refuse)
    with pytest.raises(ImageError, match=r"secret.png: permission denied$"):
        read_image(path)
    with pytest.raises(UsageError, match=r"secret.png: permission denied$"):
        read_text(path)


def test_read_text_refuses_binary_large_and_odd_files_without_waiting(odd):
    assert read_text(odd / "text.toml") == "[p]\n"
    with pytest.raises(UsageError, match="pipe: not a regular file"):
        read_text(odd / "pipe")  # opening it would wait for a writer for ever
    (odd / "binary").write_bytes(b"\x89PNG\r\n")
    with pytest.raises(UsageError, match=r"binary: not UTF-8 text \(byte 0\); is it a profiles file\?"):
        read_text(odd / "binary", what="profiles file")
    (odd / "big").write_text("x" * 100)
    with pytest.raises(UsageError, match="big: 0.0001 MB, more than a file may hold"):
        read_text(odd / "big", limit=10)


def test_check_output_refuses_what_it_must_not_replace(odd):
    check_output(odd / "text.toml")  # a file: replaced by the new one
    check_output(odd / "new.gcode")  # nothing yet
    check_output(odd / "folder")  # a folder: the caller writes into it
    check_output(odd / "text.toml" / "x.gcode")  # the caller says which folder is not one
    for name, message in [("loop", "symbolic link loop"), ("pipe", "not a regular file"), ("null", "not a regular file"),
                          (LONG, "file name too long"), ("loop/x.gcode", "symbolic link loop")]:
        with pytest.raises(UsageError, match=message):
            check_output(odd / name)


def test_a_device_is_never_replaced_by_an_output(device):
    """``-o /dev/null`` as root once renamed a file over the device; now the device stays a device."""
    for path in (device, device.parent / "link"):
        if path != device:
            path.symlink_to(device)
        with pytest.raises(UsageError, match="not a regular file .* strokebot writes files only"):
            write_bytes(path, b"G21\n")
        assert stat.S_ISCHR(device.stat().st_mode)
    assert not list(device.parent.glob(".*.part"))


def test_a_pipe_is_never_replaced_or_opened_by_an_output(odd):
    with pytest.raises(UsageError, match="pipe: not a regular file"):
        write_bytes(odd / "pipe", b"G21\n")
    assert stat.S_ISFIFO((odd / "pipe").stat().st_mode)
    with pytest.raises(UsageError, match="loop: symbolic link loop"):
        write_bytes(odd / "loop", b"G21\n")
    assert (odd / "loop").is_symlink()
    with pytest.raises(ExportError, match="output folder .*text.toml is not a folder"):
        write_bytes(odd / "text.toml" / "x.gcode", b"G21\n")


def test_a_long_name_that_fits_gets_a_temporary_file_that_fits_too(tmp_path):
    name = "b" * 250 + ".gcode"  # 256 bytes with the dot: one over the limit
    with pytest.raises(UsageError, match="file name too long"):
        write_bytes(tmp_path / name, b"G21\n")
    name = "b" * 248 + ".gcode"  # 254: fits, and its temporary ".NAME.XXXXXXXX.part" would not
    write_bytes(tmp_path / name, b"G21\n")
    assert (tmp_path / name).read_bytes() == b"G21\n"


def test_real_follows_links_and_never_raises(odd):
    assert real(odd / "null") == Path("/dev/null")
    assert real(odd / "loop").name == "loop"  # a loop stays as it is
