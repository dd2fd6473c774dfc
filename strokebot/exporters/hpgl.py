"""HPGL for vintage pen plotters (HP 7475A and friends, Roland DXY): ``PU``/``PD`` in plotter units.

One plotter unit is 0.025 mm (40 per mm); HPGL's origin is the bottom-left corner with y up, so Y is
flipped against the page height. Each stroke is one ``PU x,y;`` to its start and one ``PD`` through its
points; the pen is selected with ``SP`` and put back at the end.

>>> from strokebot.drawing import Drawing, Stroke
>>> print(to_hpgl(Drawing([Stroke([[0, 0], [10, 5]])], width=10, height=10, units="mm")))
IN;
SP1;
PU0,400;
PD400,200;
PU;
SP0;
<BLANKLINE>
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from strokebot.errors import UsageError
from strokebot.exporters import Exporter, fixed, in_millimetres, number
from strokebot.units import LONGEST

if TYPE_CHECKING:
    from strokebot.drawing import Drawing

__all__ = ["HpglExporter", "to_hpgl", "UNITS_PER_MM"]

UNITS_PER_MM = 40


def to_hpgl(drawing: Drawing, *, pen: int = 1, velocity: float | None = None, offset_x: float = 0.0,
            offset_y: float = 0.0) -> str:
    """The HPGL program of ``drawing`` (mm, or px taken as CSS pixels).

    Args:
        pen: carousel slot of the pen (``SP``), 1 to 8.
        velocity: pen speed in cm/s (``VS``), or None for the plotter's default.
        offset_x, offset_y: where the page's bottom-left corner is, in mm from the plotter's origin.

    Raises:
        UsageError: a pen outside 1..8 or a velocity that is not positive.
    """
    if isinstance(pen, bool) or not isinstance(pen, int) or not 1 <= pen <= 8:
        raise UsageError(f"hpgl pen must be a carousel slot from 1 to 8, got {pen!r}")
    place = {"minimum": -LONGEST, "maximum": LONGEST, "unit": "mm", "length": True}
    offset_x, offset_y = number("offset_x", offset_x, **place), number("offset_y", offset_y, **place)
    page = in_millimetres(drawing)
    lines = ["IN;", f"SP{pen};"]
    if velocity is not None:
        velocity = number("velocity", velocity, positive=True, maximum=128, unit="cm/s")
        lines.append(f"VS{fixed(velocity, 2)};")

    def plotter(x: float, y: float) -> str:
        return f"{round((x + offset_x) * UNITS_PER_MM)},{round((page.height - y + offset_y) * UNITS_PER_MM)}"

    for stroke in page.strokes:
        coords = [plotter(x, y) for x, y in stroke.xy]
        lines.append(f"PU{coords[0]};")
        lines.append("PD" + ",".join(coords[1:] or coords[:1]) + ";")
    lines += ["PU;", "SP0;"]
    return "\n".join(lines) + "\n"


class HpglExporter(Exporter):
    """``--to hpgl``: see :func:`to_hpgl`."""

    name = "hpgl"
    suffix = ".hpgl"
    description = "HPGL (PU/PD, 40 units per mm) for vintage pen plotters"
    options = {
        "pen": "carousel slot of the pen, 1 to 8 (default 1)",
        "velocity": "pen speed in cm/s (VS), default: the plotter's",
        "offset_x": "mm from the plotter's origin to the page's left edge",
        "offset_y": "mm from the plotter's origin to the page's bottom edge",
    }

    def export(self, drawing: Drawing, **options: Any) -> bytes:
        self.check_options(options)
        return to_hpgl(drawing, **options).encode("ascii")
