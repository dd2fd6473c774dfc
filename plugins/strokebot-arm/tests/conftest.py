"""Drawings made here: Hershey single-stroke text (true pen paths, no tracing model) and simple shapes."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from strokebot.drawing import Drawing, Stroke

# The helpers beside this file import by their own (unique) names, in pytest's importlib mode too.
sys.path.insert(0, str(Path(__file__).parent))

from arm_drawings import hershey_drawing  # noqa: E402


@pytest.fixture
def word() -> Drawing:
    return hershey_drawing("Arm")


@pytest.fixture
def square() -> Drawing:
    """A 20 mm square with a diagonal, and a dot: corners, a long straight line and a single point."""
    return Drawing([Stroke([[10, 10], [30, 10], [30, 30], [10, 30], [10, 10]]), Stroke([[10, 10], [30, 30]]),
                    Stroke([[35, 20]])], width=40, height=40, units="mm")


@pytest.fixture
def draw_word(tmp_path):
    """A picture of a word (Hershey text, drawn with a round pen), to trace."""
    from PIL import Image

    from strokebot.datasets import hershey_text

    path = tmp_path / "word.png"
    Image.fromarray(hershey_text("Arm", height=60, pen=6)).save(path)
    return path
