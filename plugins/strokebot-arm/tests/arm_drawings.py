"""Drawings made for the tests: Hershey single-stroke text (true pen paths, no tracing model)."""

from __future__ import annotations

import numpy as np
from HersheyFonts import HersheyFonts

from strokebot.drawing import Drawing, Stroke


def hershey_drawing(text: str, *, height: float = 10.0, font: str = "futural", margin: float = 5.0) -> Drawing:
    """``text`` in a Hershey font as strokes in millimetres (y down), glyphs ``height`` mm tall."""
    fonts = HersheyFonts()
    fonts.load_default_font(font)
    fonts.normalize_rendering(height)
    strokes = [np.array(s, dtype=float) for s in fonts.strokes_for_text(text)]
    points = np.concatenate(strokes)
    low, high = points.min(axis=0), points.max(axis=0)
    width, page_height = high - low + 2 * margin
    flipped = [Stroke(np.column_stack([s[:, 0] - low[0] + margin, high[1] - s[:, 1] + margin])) for s in strokes]
    return Drawing(flipped, width=float(width), height=float(page_height), units="mm")
