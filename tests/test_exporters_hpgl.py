"""strokebot.exporters.hpgl: PU/PD programs in plotter units, read back instruction by instruction."""

from __future__ import annotations

import re

import numpy as np
import pytest

from strokebot.drawing import Drawing, Stroke
from strokebot.errors import UsageError
from strokebot.exporters import export
from strokebot.exporters.hpgl import UNITS_PER_MM, to_hpgl


def sample() -> Drawing:
    return Drawing(
        [Stroke([[5, 5], [25, 5], [25, 30]]), Stroke([[30, 35], [55, 35]]), Stroke([[40, 10]])],
        width=60, height=40, units="mm",
    )


def replay(text: str) -> list[np.ndarray]:
    """The pen-down polylines of an HPGL program, in mm with y up."""
    strokes: list[list[tuple[float, float]]] = []
    position = None
    for instruction in filter(None, (part.strip() for part in text.split(";"))):
        assert re.fullmatch(r"(IN|SP\d|VS[\d.]+|PU|PD)(-?\d+,-?\d+(,-?\d+,-?\d+)*)?", instruction), instruction
        command, args = instruction[:2], instruction[2:]
        coords = [int(v) / UNITS_PER_MM for v in args.split(",")] if args and command in ("PU", "PD") else []
        pairs = list(zip(coords[::2], coords[1::2], strict=True))
        if command == "PU" and pairs:
            position = pairs[-1]
        elif command == "PD":
            strokes.append([position, *pairs])
            position = pairs[-1]
    return [np.array(s) for s in strokes]


def test_moves_match_the_strokes_in_plotter_units():
    d = sample()
    drawn = replay(to_hpgl(d))
    assert len(drawn) == 3
    for stroke, moves in zip(d.strokes, drawn, strict=True):
        expected = np.column_stack([stroke.xy[:, 0], d.height - stroke.xy[:, 1]])
        if len(stroke) == 1:
            expected = np.vstack([expected, expected])  # a dot: PD on the spot
        np.testing.assert_allclose(moves, expected, atol=0.5 / UNITS_PER_MM)


def test_program_shape():
    text = to_hpgl(sample(), pen=3, velocity=20)
    lines = text.splitlines()
    assert lines[:3] == ["IN;", "SP3;", "VS20;"] and lines[-2:] == ["PU;", "SP0;"]
    assert "PU200,1400;" in text and "PD1000,1400,1000,400;" in text


def test_offsets_move_the_page_and_px_is_css_pixels():
    assert "PU400,1400;" in to_hpgl(sample(), offset_x=5)
    px = Drawing([Stroke([[0, 0], [96, 0]])], width=96, height=96, units="px")
    assert "PU0,1016;" in to_hpgl(px) and "PD1016,1016;" in to_hpgl(px)


@pytest.mark.parametrize("option, value", [("pen", 0), ("pen", 9), ("pen", True), ("velocity", -1), ("velocity", 500), ("offset_x", "left")])
def test_bad_options(option, value):
    with pytest.raises(UsageError, match=option):
        export(sample(), "hpgl", **{option: value})
