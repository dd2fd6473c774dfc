"""strokebot.exporters.png: the preview shows what the machine draws, at the dpi asked for."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from strokebot.drawing import Drawing, Stroke
from strokebot.errors import UsageError
from strokebot.exporters import export
from strokebot.exporters.png import to_image

DPI = 254  # 10 pixels per mm


def page(*strokes: Stroke, pen_width: float | None = 1.0) -> Drawing:
    return Drawing(list(strokes), width=30, height=20, units="mm", pen_width=pen_width)


def pixels(drawing: Drawing, **options) -> np.ndarray:
    image = Image.open(io.BytesIO(export(drawing, "png", dpi=DPI, **options)))
    assert image.mode == "L"
    return np.asarray(image, dtype=float)


def test_size_follows_the_page_and_dpi():
    d = page(Stroke([[5, 5], [25, 5]]))
    assert pixels(d).shape == (200, 300)
    image = Image.open(io.BytesIO(export(d, "png", dpi=127)))
    assert image.size == (150, 100) and image.info["dpi"] == pytest.approx((127, 127), abs=0.01)
    px = Drawing([Stroke([[0, 0], [96, 0]])], width=96, height=48, units="px")
    assert to_image(px, dpi=96).size == (96, 48)  # one CSS pixel, one pixel


def test_white_paper_ink_on_strokes_nothing_on_travel():
    d = page(Stroke([[5, 5], [10, 5]]), Stroke([[20, 5], [25, 5]]))
    image = pixels(d)
    assert image[0, 0] == 255 and image[150, 150] == 255
    assert image[50, 75] < 30  # on the first stroke (x 7.5 mm, y 5 mm)
    assert image[50, 150] == 255  # the pen-up move from x 10 to x 20 leaves nothing


def test_width_follows_pressure_and_darkness_follows_intensity():
    d = page(Stroke([[5, 5, 0.0, 1.0], [25, 5, 0.0, 1.0]]), Stroke([[5, 15, 1.0, 0.5], [25, 15, 1.0, 0.5]]))
    image = pixels(d)
    thin = (image[:100, 150] < 128).sum()  # column through the middle of the top line
    thick = (image[100:, 150] < 200).sum()
    assert thin == pytest.approx(5, abs=1) and thick == pytest.approx(15, abs=1)  # 1 mm * (0.5 + p) at 10 px/mm
    assert image[150, 150] == pytest.approx(128, abs=3)


def test_darker_ink_wins_where_lines_cross():
    light = Stroke([[5, 10, 0.5, 0.3], [25, 10, 0.5, 0.3]])
    dark = Stroke([[15, 2, 0.5, 1.0], [15, 18, 0.5, 1.0]])
    for order in ([light, dark], [dark, light]):
        assert pixels(page(*order))[100, 150] < 10


def test_default_pen_width_and_no_ink():
    assert (pixels(page(Stroke([[5, 5], [25, 5]]), pen_width=None))[:, 150] < 128).sum() == pytest.approx(5, abs=1)
    assert (pixels(page(Stroke([[5, 5, 0.5, 0.0], [25, 5, 0.5, 0.0]]))) == 255).all()


def test_same_drawing_same_bytes():
    d = page(Stroke([[5, 5], [25, 15]]))
    assert export(d, "png") == export(d, "png")


@pytest.mark.parametrize("option, value", [("dpi", 0), ("dpi", 1e6), ("antialias", 0), ("antialias", 2.5)])
def test_bad_options(option, value):
    with pytest.raises(UsageError, match=option if option != "dpi" or value == 0 else "too large"):
        export(page(Stroke([[5, 5], [25, 15]])), "png", **{option: value})
