"""What a robot can be asked to draw: a :class:`~strokebot.drawing.Drawing`, a strokebot JSON
trajectory, an SVG (its paths, as a plotter would draw them) or an image, traced on the fly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from strokebot.drawing import Drawing, Stroke
from strokebot.errors import DrawingError, StrokebotError, UsageError

__all__ = ["load_drawing", "read_svg", "DEFAULT_WIDTH", "MM_PER_PX"]

#: An image is traced and fitted to this width (mm) unless a size is given.
DEFAULT_WIDTH = 60.0
MM_PER_PX = 25.4 / 96.0
#: Curves in an SVG are cut into straight pieces at most this long (mm).
_CURVE_STEP = 0.25


def load_drawing(source: Any, *, width: float | None = None, height: float | None = None, refine: int = 0,
                 model: Any = None, reorder: bool | None = None) -> Drawing:
    """``source`` as a drawing in millimetres, fitted to ``width``/``height`` when given.

    A JSON trajectory and an SVG keep their own size and stroke order unless told otherwise; an
    image is traced (``refine`` steps, ``model``), fitted to ``width`` (60 mm by default) and its
    strokes ordered to cut pen-up travel.

    Raises:
        DrawingError: a file that is not a drawing strokebot reads.
        ImageError: an image that cannot be traced.
    """
    if isinstance(source, Drawing):
        drawing = source
        traced = False
    else:
        path = Path(source)
        if not path.exists():
            raise DrawingError(f"{path}: no such file")
        suffix = path.suffix.lower()
        traced = False
        if suffix == ".json":
            from strokebot.exporters.trajectory import read_trajectory

            try:
                drawing = read_trajectory(path)
            except StrokebotError as error:
                raise DrawingError(str(error)) from None
        elif suffix in (".svg", ".svgz"):
            drawing = read_svg(path)
        else:
            import strokebot

            drawing = strokebot.trace(path, refine=refine, model=model, name=str(path))
            traced = True
            if width is None and height is None:
                width = DEFAULT_WIDTH
    if width is not None or height is not None:
        drawing = drawing.fit(width=width, height=height)
    elif drawing.units != "mm":
        drawing = drawing.scaled(MM_PER_PX, units="mm")
    if reorder if reorder is not None else traced:
        drawing = drawing.reordered()
    return drawing


def read_svg(path: str | Path) -> Drawing:
    """The visible paths of an SVG as strokes in millimetres (y down), one per subpath.

    Curves are cut into straight pieces of at most 0.25 mm; hidden elements are skipped; the page
    is the document's width and height.

    Raises:
        DrawingError: not an SVG that can be read, or one without any path.
    """
    import svgelements

    try:
        svg = svgelements.SVG.parse(str(path), reify=True, ppi=96.0)
    except Exception as error:  # svgelements raises whatever its XML parser meets
        raise DrawingError(f"{path}: not an SVG strokebot can read ({type(error).__name__}: {error})") from None
    strokes: list[Stroke] = []
    for element in svg.elements():
        if not isinstance(element, svgelements.Shape) or element.values.get("visibility") == "hidden":
            continue
        shape = svgelements.Path(element)
        shape.reify()
        for subpath in shape.as_subpaths():
            points = _points(svgelements.Path(subpath), svgelements)
            if len(points):
                strokes.append(Stroke(points * MM_PER_PX))
    if not strokes:
        raise DrawingError(f"{path}: the SVG holds no paths to draw")
    width = float(svg.width or 0) * MM_PER_PX
    height = float(svg.height or 0) * MM_PER_PX
    if not (width > 0 and height > 0):
        points = np.concatenate([s.xy for s in strokes])
        width, height = (float(v) + 1.0 for v in points.max(axis=0))
    return Drawing(strokes, width=width, height=height, units="mm")


def _points(path: Any, svgelements: Any) -> np.ndarray:
    points: list[tuple[float, float]] = []
    for segment in path:
        if isinstance(segment, svgelements.Move):
            points.append((segment.end.x, segment.end.y))
        elif isinstance(segment, (svgelements.Line, svgelements.Close)):
            if segment.start is not None and not points:
                points.append((segment.start.x, segment.start.y))
            if segment.end is not None:
                points.append((segment.end.x, segment.end.y))
        elif segment.end is not None:
            length = segment.length(error=1e-3)
            count = max(2, int(np.ceil(length * MM_PER_PX / _CURVE_STEP)) + 1)
            for x, y in segment.npoint(np.linspace(0.0, 1.0, count))[1:]:
                points.append((float(x), float(y)))
    if not points:
        return np.empty((0, 2))
    array = np.asarray(points, dtype=np.float64)
    if not np.isfinite(array).all():
        raise UsageError("an SVG path holds coordinates that are not finite")
    return array
