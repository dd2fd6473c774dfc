"""Trace files to files: what ``strokebot trace`` does for each input, usable from scripts too.

A :class:`TraceSettings` holds everything that is the same for every input; :func:`trace_file` traces
one image and writes every requested format (each file atomically, all of them only once every one
is ready), and :func:`trace_files` runs a list of inputs, reporting and skipping bad ones.

Nothing is lost: an output is a temporary file beside its destination until it is complete and
renamed into place, so an existing file is replaced by a complete new one or left as it was, even
when a run fails or is interrupted. Options and output folders are checked before the first input
is traced, so a mistake there is one error, not a folder of skipped files.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterator, MutableMapping, Sequence
from pathlib import Path
from typing import Any

from strokebot.errors import StrokebotError, UsageError
from strokebot.paths import check_output, real, regular_file

__all__ = [
    "IMAGE_SUFFIXES", "TraceSettings", "TraceResult", "expand_inputs", "output_paths", "trace_file", "trace_files",
    "check_options",
]

#: Where the pen starts: the page origin (top left, as in SVG and vpype).
HOME = (0.0, 0.0)

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".gif", ".webp", ".pgm", ".ppm", ".pbm")


@dataclasses.dataclass
class TraceSettings:
    """Options shared by every input of one run (see ``strokebot trace --help``)."""

    formats: tuple[str, ...] = ("gcode",)
    model: Any = None
    fast: bool = False  # the one-shot gesture model, when no model is given
    width: float | None = None  # mm
    height: float | None = None  # mm
    margin: float = 0.0  # mm
    order: bool | None = None  # reorder to cut pen-up travel (None: no; both bundled models draw in a person's order)
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
        travel = f"pen-up {self.travel_before:.1f} -> {d.travel_from(HOME):.1f} {units}"
        glyphs = f"{d.glyph_count} glyph{'s' if d.glyph_count != 1 else ''}"
        written = ", ".join(str(p) for p in self.outputs) or "nothing written"
        return f"{self.source}: {glyphs}, {len(d.strokes)} strokes, {travel} -> {written}"


def expand_inputs(inputs: Sequence[str | Path], *, recursive: bool = False) -> list[Path]:
    """Files as given, and the images inside folders (sorted); a missing path raises."""
    found: list[Path] = []
    for entry in map(Path, inputs):
        if os.path.isdir(entry):  # never raises: a loop or a name too long is reported when it is traced
            pattern = "**/*" if recursive else "*"
            # Anything named like an image but a folder is traced, so a pipe, a device or a broken link
            # is reported and skipped rather than passed over in silence.
            found.extend(sorted(p for p in entry.glob(pattern) if p.suffix.lower() in IMAGE_SUFFIXES and not os.path.isdir(p)))
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
    check_output(output)  # a device, a pipe, a symbolic link loop or a name too long
    if folder.is_dir() or output.endswith(("/", "\\")):
        if not folder.is_dir():
            raise UsageError(f"output folder {folder} does not exist")
        return [folder / _beside(source, s).name for s in suffixes]
    if many or len(formats) > 1:
        raise UsageError(f"-o {output}: several outputs need -o to name an existing folder")
    return [folder]


def _beside(source: Path, suffix: str) -> Path:
    target = source.with_name(source.stem + suffix)
    if real(target) == real(source):  # never overwrite the input (a .png preview of a .png)
        target = source.with_name(source.stem + ".strokes" + suffix)
    return target


def trace_file(
    source: Path, destinations: Sequence[Path | None], settings: TraceSettings, *, stdout: Any = None,
    tally: MutableMapping[str, int] | None = None,
) -> TraceResult:
    """Trace ``source`` and write each of ``settings.formats`` to its destination.

    ``tally["written"]`` (if given) counts the inputs whose outputs are in place, exactly, even when
    Ctrl-C comes: the renames and the count happen together or not at all.

    Raises:
        StrokebotError: the input or an output is bad (the message names ``source``); nothing is
            written unless every output could be produced.
    """
    try:
        return _trace_file(source, destinations, settings, stdout=stdout, tally=tally)
    except StrokebotError as error:
        raise _naming(error, [source, *destinations, settings.preview]) from None


def _naming(error: StrokebotError, files: Sequence[Path | None]) -> StrokebotError:
    """``error`` with the first of ``files`` (the input) in front, unless it names one of them already."""
    text = str(error)
    if not any(str(path) in text for path in files if path is not None):
        error.args = (f"{files[0]}: {text}",)
    return error


def _trace_file(
    source: Path, destinations: Sequence[Path | None], settings: TraceSettings, *, stdout: Any,
    tally: MutableMapping[str, int] | None,
) -> TraceResult:
    from strokebot import exporters
    from strokebot.tracing import prepare_and_trace

    drawing, ink = prepare_and_trace(
        source,
        model=settings.model,
        fast=settings.fast,
        polarity=settings.polarity,
        clean=settings.clean,
        split=settings.split,
        refine=settings.refine,
        max_pixels=settings.max_pixels,
    )
    result = TraceResult(source=source, outputs=[], drawing=drawing)
    files: list[tuple[Path, bytes]] = []
    if settings.verify or settings.preview:
        from strokebot.verify import preview, verify

        result.score = verify(drawing, ink)
        if settings.preview:
            files.append((Path(settings.preview), preview(drawing, ink, None, score=result.score)))
    drawing, result.travel_before = _finished(drawing, settings)
    result.drawing = drawing
    # Every format is produced before anything is written, so a failing format leaves no files.
    payloads = [exporters.export(drawing, fmt, None, **_options_for(fmt, settings)) for fmt in settings.formats]
    from strokebot.output import interrupts_deferred, write_files

    files.extend((d, data) for d, data in zip(destinations, payloads, strict=True) if d is not None)
    with interrupts_deferred():  # an interrupt now comes after the files are in place and counted
        write_files(files)
        result.outputs.extend(path for path, _ in files)
        if tally is not None:
            tally["written"] += 1
    for destination, data in zip(destinations, payloads, strict=True):
        if destination is None:
            (stdout.write if stdout is not None else _stdout_write)(data)
    return result


def _finished(drawing: Any, settings: TraceSettings) -> tuple[Any, float]:
    """The traced drawing sized, ordered and with the pen of ``settings``; and its pen-up travel before ordering.

    Travel counts from the page's origin, where plotters and vpype start, to the first stroke too.
    """
    if settings.width is not None or settings.height is not None:
        drawing = drawing.fit(width=settings.width, height=settings.height, margin=settings.margin)
    travel_before = drawing.travel_from(HOME)
    if settings.order:
        drawing = drawing.reordered(origin=HOME)
    if settings.pen_width is not None:
        drawing = drawing.replace(pen_width=settings.pen_width if drawing.units == "mm" else settings.pen_width * 96 / 25.4)
    return drawing, travel_before


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
    tally: MutableMapping[str, int] | None = None,
    jobs: int = 1,
) -> Iterator[TraceResult]:
    """Trace each source in turn; a bad one is yielded with its ``error`` and the rest go on.

    ``tally`` counts as :func:`trace_file` does: after Ctrl-C, ``tally["written"]`` says how many
    inputs have all their outputs written.

    Before anything is traced, the run is checked as a whole: two inputs writing the same output,
    an output that would overwrite an input, export options a format refuses, a bad model file and
    output folders that are missing or cannot be written are each one error, raised at the first
    ``next()``.

    With ``jobs`` other than 1, that many worker processes trace the sources (0: one per core) and
    results come as they finish, without their drawings (:func:`strokebot.batch.trace_plan`).

    Raises:
        UsageError: outputs collide, or an option is bad.
        ModelError: the model file is missing or damaged.
        ExportError: an output folder cannot be written.
    """
    many = len(sources) > 1
    plan = [(source, output_paths(source, settings.formats, output, many=many)) for source in sources]
    inputs = {real(source): source for source in sources}
    seen: dict[Path, Path] = {}
    # An input that cannot be read is reported when it is traced; what it would have written does not matter.
    writes = [d for source, destinations in plan if regular_file(source) for d in destinations if d is not None]
    for source, destinations in plan:
        for destination in destinations:
            if destination is None:
                continue
            key = real(destination)
            if key in inputs:
                raise UsageError(f"{destination}: would overwrite the input {inputs[key]}; choose another -o")
            if key in seen:
                raise UsageError(f"{seen[key]} and {source} would both write {destination}")
            seen[key] = source
    check_options(settings)
    from strokebot.model.inference import FAST_MODEL, Model, load_model
    from strokebot.model.strokes import StrokeModel
    from strokebot.output import check_writable

    if not isinstance(settings.model, (Model, StrokeModel)):  # a bad model file is one error, not one per input
        path = FAST_MODEL if settings.model is None and settings.fast else settings.model
        settings = dataclasses.replace(settings, model=load_model(path))

    checked: set[Path] = set()
    for destination in [*writes, *([Path(settings.preview)] if settings.preview else [])]:
        check_output(destination)  # a device, a pipe, a loop or a name too long: one error before tracing
        folder = real(destination.parent)
        if folder not in checked or os.path.isdir(destination):
            check_writable(destination)
            checked.add(folder)
    if jobs != 1 and len(plan) > 1:
        from strokebot.batch import default_jobs, trace_plan

        for result in trace_plan(plan, settings, jobs=min(jobs or default_jobs(), len(plan))):
            if tally is not None and result.error is None:
                tally["written"] += 1
            if on_result is not None:
                on_result(result)
            yield result
        return
    for source, destinations in plan:
        try:
            result = trace_file(source, destinations, settings, tally=tally)
        except StrokebotError as error:
            result = TraceResult(source=source, outputs=[], error=error)
        if on_result is not None:
            on_result(result)
        yield result


def check_options(settings: TraceSettings) -> None:
    """Export a one-stroke drawing in every format of ``settings``, so bad options fail before tracing.

    Raises:
        UsageError: a format, profile or export option that the exporter refuses.
    """
    from strokebot import exporters
    from strokebot.drawing import Drawing, Stroke

    probe = Drawing([Stroke([[2.0, 2.0, 0.5, 1.0], [8.0, 8.0, 0.5, 1.0]])], width=10.0, height=10.0, source_size=(10, 10))
    probe, _ = _finished(probe, settings)
    for fmt in settings.formats:
        try:
            exporters.export(probe, fmt, None, **_options_for(fmt, settings))
        except UsageError:
            raise
        except Exception:  # noqa: BLE001 - a failure that depends on the drawing is reported per input
            pass
