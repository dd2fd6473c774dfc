"""Trace files to files: what ``strokebot trace`` does for each input, usable from scripts too.

A :class:`TraceSettings` holds everything that is the same for every input; :func:`trace_file` traces
one image and writes every requested format (each file atomically), and :func:`trace_files` runs a
list of inputs, reporting and skipping bad ones.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from strokebot.errors import StrokebotError, UsageError

__all__ = ["IMAGE_SUFFIXES", "TraceSettings", "TraceResult", "expand_inputs", "output_paths", "trace_file", "trace_files"]

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".gif", ".webp", ".pgm", ".ppm", ".pbm")


@dataclasses.dataclass
class TraceSettings:
    """Options shared by every input of one run (see ``strokebot trace --help``)."""

    formats: tuple[str, ...] = ("gcode",)
    model: Any = None
    width: float | None = None  # mm
    height: float | None = None  # mm
    margin: float = 0.0  # mm
    order: bool = True
    polarity: str = "auto"
    clean: bool = True
    split: bool = True
    refine: int = 0
    max_pixels: int | None = None
    pen_width: float | None = None  # mm, for exports
    export_options: dict[str, Any] = dataclasses.field(default_factory=dict)
    verify: bool = False
    preview: Path | None = None


@dataclasses.dataclass
class TraceResult:
    """What one input gave: its drawing, the files written and a one-line summary."""

    source: Path
    outputs: list[Path]
    drawing: Any = None
    travel_before: float = 0.0
    score: Any = None
    error: StrokebotError | None = None

    def summary(self) -> str:
        if self.error is not None:
            return f"skipped: {self.error}"
        d = self.drawing
        units = d.units
        travel = f"pen-up {self.travel_before:.1f} -> {d.travel_length:.1f} {units}"
        glyphs = f"{d.glyph_count} glyph{'s' if d.glyph_count != 1 else ''}"
        written = ", ".join(str(p) for p in self.outputs) or "nothing written"
        return f"{self.source}: {glyphs}, {len(d.strokes)} strokes, {travel} -> {written}"


def expand_inputs(inputs: Sequence[str | Path], *, recursive: bool = False) -> list[Path]:
    """Files as given, and the images inside folders (sorted); a missing path raises."""
    found: list[Path] = []
    for entry in map(Path, inputs):
        if entry.is_dir():
            pattern = "**/*" if recursive else "*"
            found.extend(sorted(p for p in entry.glob(pattern) if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES))
        else:
            found.append(entry)  # a missing or bad file is reported when it is traced
    return found


def output_paths(source: Path, formats: Sequence[str], output: str | Path | None, *, many: bool) -> list[Path | None]:
    """Where each format of ``source`` goes: beside it, into a folder ``output``, or to ``output``.

    ``None`` stands for standard output (``-o -``).
    """
    from strokebot.exporters import suffix_for

    suffixes = [suffix_for(f) for f in formats]
    if output is None:
        return [_beside(source, s) for s in suffixes]
    output = str(output)
    if output == "-":
        if many or len(formats) > 1:
            raise UsageError("-o - (standard output) takes one input and one --to format")
        return [None]
    folder = Path(output)
    if folder.is_dir() or output.endswith(("/", "\\")):
        if not folder.is_dir():
            raise UsageError(f"output folder {folder} does not exist")
        return [folder / _beside(source, s).name for s in suffixes]
    if many or len(formats) > 1:
        raise UsageError(f"-o {output}: several outputs need -o to name an existing folder")
    return [folder]


def _beside(source: Path, suffix: str) -> Path:
    target = source.with_name(source.stem + suffix)
    if target.resolve() == source.resolve():  # never overwrite the input (a .png preview of a .png)
        target = source.with_name(source.stem + ".strokes" + suffix)
    return target


def trace_file(source: Path, destinations: Sequence[Path | None], settings: TraceSettings, *, stdout: Any = None) -> TraceResult:
    """Trace ``source`` and write each of ``settings.formats`` to its destination.

    Raises:
        StrokebotError: the input or an output is bad; nothing is half-written.
    """
    from strokebot import exporters
    from strokebot.tracing import prepare_and_trace

    drawing, ink = prepare_and_trace(
        source,
        model=settings.model,
        polarity=settings.polarity,
        clean=settings.clean,
        split=settings.split,
        refine=settings.refine,
        max_pixels=settings.max_pixels,
    )
    result = TraceResult(source=source, outputs=[], drawing=drawing)
    if settings.verify or settings.preview:
        from strokebot.verify import preview, verify

        result.score = verify(drawing, ink)
        if settings.preview:
            preview(drawing, ink, settings.preview, score=result.score)
    if settings.width is not None or settings.height is not None:
        drawing = drawing.fit(width=settings.width, height=settings.height, margin=settings.margin)
    result.travel_before = drawing.travel_from(None)
    if settings.order:
        drawing = drawing.reordered()
    if settings.pen_width is not None:
        drawing = drawing.replace(pen_width=settings.pen_width if drawing.units == "mm" else settings.pen_width * 96 / 25.4)
    result.drawing = drawing
    payloads = [exporters.export(drawing, fmt, None, **_options_for(fmt, settings)) for fmt in settings.formats]
    # Every format is produced before anything is written, so a failing format leaves no files.
    from strokebot.output import write_bytes

    for destination, data in zip(destinations, payloads):
        if destination is None:
            (stdout.write if stdout is not None else _stdout_write)(data)
        else:
            write_bytes(destination, data)
            result.outputs.append(destination)
    return result


def _options_for(fmt: str, settings: TraceSettings) -> dict[str, Any]:
    """The export options for ``fmt``: ``FMT.key`` ones for it alone, plain ones for every format."""
    options: dict[str, Any] = {}
    for key, value in settings.export_options.items():
        target, dot, name = key.partition(".")
        if dot:
            if target == fmt:
                options[name] = value
        elif key != "profile" or fmt == "gcode":
            options[key] = value
    if fmt == "gcode":
        options.setdefault("profile", "grbl-servo")
    return options


def _stdout_write(data: bytes) -> None:
    import sys

    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def trace_files(
    sources: Sequence[Path],
    settings: TraceSettings,
    output: str | Path | None = None,
    *,
    on_result: Callable[[TraceResult], None] | None = None,
) -> Iterator[TraceResult]:
    """Trace each source in turn; a bad one is yielded with its ``error`` and the rest go on.

    Outputs are checked for collisions before anything is traced.
    """
    many = len(sources) > 1
    plan = [(source, output_paths(source, settings.formats, output, many=many)) for source in sources]
    seen: dict[Path, Path] = {}
    for source, destinations in plan:
        for destination in destinations:
            if destination is None:
                continue
            key = destination.resolve()
            if key in seen:
                raise UsageError(f"{seen[key]} and {source} would both write {destination}")
            seen[key] = source
    for source, destinations in plan:
        try:
            result = trace_file(source, destinations, settings)
        except StrokebotError as error:
            result = TraceResult(source=source, outputs=[], error=error)
        if on_result is not None:
            on_result(result)
        yield result
