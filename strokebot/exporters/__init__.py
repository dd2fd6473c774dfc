"""Exporters: a :class:`~strokebot.drawing.Drawing` into the files machines and tools take.

Every exporter, built-in or third-party, registers under the entry-point group
``strokebot.exporters``; the name of the entry point is the format name (``--to NAME``) and it points
at an :class:`Exporter` subclass or instance. Entry points are loaded lazily, one format at a time,
so a broken third-party exporter only breaks its own format (``strokebot formats`` lists it as
broken with the reason) and never the tool.
"""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from strokebot.errors import ExportError, UsageError

if TYPE_CHECKING:
    from strokebot.drawing import Drawing

__all__ = ["Exporter", "FormatInfo", "available", "get_exporter", "export", "GROUP"]

GROUP = "strokebot.exporters"


class Exporter:
    """Base class of exporters: subclasses set the class attributes and implement :meth:`export`.

    ``export`` takes the drawing and the format's keyword options and returns the file's bytes; it
    raises :class:`UsageError` for a bad option and :class:`ExportError` when the drawing cannot be
    written in this format. Writing to disk (atomically) is done by :func:`export`, not here.
    """

    name: ClassVar[str] = ""
    suffix: ClassVar[str] = ""
    description: ClassVar[str] = ""

    def export(self, drawing: Drawing, **options: Any) -> bytes:
        raise NotImplementedError


@dataclass
class FormatInfo:
    """What ``strokebot formats`` shows of one registered format."""

    name: str
    value: str  # the entry point's target, e.g. "strokebot.exporters.svg:SVGExporter"
    distribution: str | None
    description: str = ""
    suffix: str = ""
    error: str | None = None  # why it failed to load, for a broken plugin


def _entry_points() -> dict[str, importlib.metadata.EntryPoint]:
    found: dict[str, importlib.metadata.EntryPoint] = {}
    for entry in importlib.metadata.entry_points(group=GROUP):
        found.setdefault(entry.name, entry)
    return found


_loaded: dict[str, Exporter] = {}


def get_exporter(name: str) -> Exporter:
    """The exporter registered as ``name``.

    Raises:
        UsageError: no such format (the message lists the known ones).
        ExportError: the format is registered but its plugin fails to load.
    """
    if name in _loaded:
        return _loaded[name]
    entries = _entry_points()
    if name not in entries:
        known = ", ".join(sorted(entries)) or "none installed"
        raise UsageError(f"unknown format {name!r} (known formats: {known})")
    entry = entries[name]
    try:
        target = entry.load()
        exporter = target() if isinstance(target, type) else target
        if not callable(getattr(exporter, "export", None)):
            raise TypeError(f"{entry.value} has no export() method")
    except Exception as error:  # a third-party plugin may fail in any way; it must not take the tool down
        origin = entry.dist.name if entry.dist else entry.value
        raise ExportError(f"format {name!r} from {origin} is broken: {type(error).__name__}: {error}") from error
    _loaded[name] = exporter
    return exporter


def available() -> list[FormatInfo]:
    """Every registered format, loaded to read its description; broken ones carry their error."""
    infos = []
    for name, entry in sorted(_entry_points().items()):
        info = FormatInfo(name=name, value=entry.value, distribution=entry.dist.name if entry.dist else None)
        try:
            exporter = get_exporter(name)
            info.description = getattr(exporter, "description", "") or ""
            info.suffix = getattr(exporter, "suffix", "") or f".{name}"
        except ExportError as error:
            info.error = str(error.__cause__ or error)
        infos.append(info)
    return infos


def suffix_for(name: str) -> str:
    """The file suffix of format ``name`` (e.g. ``.gcode``)."""
    return getattr(get_exporter(name), "suffix", "") or f".{name}"


def export(drawing: Drawing, format: str, path: str | Path | None = None, **options: Any) -> bytes | None:
    """Export ``drawing`` as ``format``; write it atomically to ``path`` or return the bytes.

    Raises:
        UsageError: unknown format or bad option.
        ExportError: the drawing cannot be exported, or ``path`` cannot be written.
    """
    exporter = get_exporter(format)
    try:
        data = exporter.export(drawing, **options)
    except TypeError as error:
        if "unexpected keyword argument" in str(error):
            raise UsageError(f"format {format!r}: {str(error).split(') ', 1)[-1]}") from None
        raise
    if path is None:
        return data
    from strokebot.output import write_bytes

    write_bytes(path, data)
    return None
