"""Tracing through the public API: inputs of every kind, batches, the stroke extraction, end to end."""

import numpy as np
import pytest
from conftest import draw_polylines, save_png
from PIL import Image
from tests_tolerance import assert_float32_close, summed_terms

import strokebot
from strokebot.errors import ImageError, UsageError
from strokebot.evaluate import chamfer
from strokebot.model.inference import GestureArrays
from strokebot.tracing import gesture_strokes, prepare_and_trace


def test_gesture_strokes_cuts_pen_down_runs():
    #            steps:   0    1    2    3    4
    intensity = np.array([[0.9, 0.8, 0.1, 0.7, 0.2]])
    g = GestureArrays(
        start=np.array([[1.0, 1.0]]),
        velocity=np.array([[[1, 0], [1, 0], [0, 1], [0, 1], [1, 1]]], float),
        pressure=np.array([[0.1, 0.2, 0.3, 0.4, 0.5]]),
        intensity=intensity,
    )
    (strokes,) = gesture_strokes(g)
    assert len(strokes) == 2
    np.testing.assert_array_equal(strokes[0][:, :2], [[1, 1], [2, 1], [3, 1]])
    np.testing.assert_array_equal(strokes[0][:, 2], [0.1, 0.2, 0.2])
    np.testing.assert_array_equal(strokes[1][:, :2], [[3, 2], [3, 3]])
    np.testing.assert_array_equal(strokes[1][:, 3], [0.7, 0.7])


def test_gesture_strokes_all_down_and_never_nothing():
    intensity = np.array([[0.1, 0.1, 0.1], [1, 1, 1.0], [0.2, 0.45, 0.3]])
    g = GestureArrays(np.zeros((3, 2)), np.ones((3, 3, 2)), np.full((3, 3), 0.5), intensity)
    flat, down, timid = gesture_strokes(g)
    assert len(down) == 1 and len(down[0]) == 4
    # Nothing above the threshold: the steps above the gesture's own mean draw.
    assert len(timid) == 1 and timid[0][:, 3].tolist() == [0.45, 0.45]
    assert len(flat) == 1 and len(flat[0]) == 4  # all equal: all of it draws


@pytest.mark.parametrize(
    "convert",
    [
        lambda ink: (ink * 255).astype(np.uint8),
        lambda ink: ((1 - ink) * 65535).astype(np.uint16),
        lambda ink: ink.astype(np.float32),
        lambda ink: ink > 0.5,
        lambda ink: np.dstack([(1 - ink) * 255] * 3).astype(np.uint8),
        lambda ink: Image.fromarray(((1 - ink) * 255).astype(np.uint8)),
    ],
)
def test_trace_accepts_arrays_and_pil(seven, convert):
    drawing = strokebot.trace(convert(seven))
    assert drawing.units == "px" and (drawing.width, drawing.height) == (28, 28)
    assert drawing.strokes and drawing.model.startswith("strokebot")
    x0, y0, x1, y1 = drawing.bounds()
    assert x0 >= -2 and x1 <= 30 and y0 >= -2 and y1 <= 30


def test_trace_path(tmp_path, seven):
    path = save_png(tmp_path / "seven.png", seven)
    assert strokebot.trace(path).strokes
    assert strokebot.trace(str(path)).strokes


def test_trace_errors(tmp_path):
    with pytest.raises(ImageError, match="no ink"):
        strokebot.trace(np.zeros((28, 28), np.uint8))
    with pytest.raises(ImageError, match="no such file"):
        strokebot.trace(tmp_path / "nope.png")
    with pytest.raises(UsageError):
        strokebot.trace(np.eye(28), refine=-1)


def assert_same_strokes(a: strokebot.Drawing, b: strokebot.Drawing, model) -> None:
    """Two traces of one image along two float32 paths (a batch against one glyph, two pixel types):
    the same strokes, their points apart by no more than the model's rounding.

    Points of the one-shot model are its frame (``model.size`` pixels, the glyph fitted into 20 of
    them) mapped onto the glyph, so their rounding is that of positions in a frame of
    ``model.size / 20`` glyph sizes. A stroke model draws each glyph on its own, the same way in a
    batch as alone: its points agree within the rounding of positions on the glyph.
    """
    assert len(a.strokes) == len(b.strokes)
    terms = summed_terms(model.file.weights) + getattr(model, "steps", 0)
    glyph = max(max(x1 - x0, y1 - y0) for x0, y0, x1, y1 in a.glyph_boxes)
    for sa, sb in zip(a.strokes, b.strokes, strict=True):
        assert_float32_close(sa.xy, sb.xy, scale=glyph * model.size / 20, terms=terms)
        assert_float32_close(sa.points[:, 2:], sb.points[:, 2:], scale=1, terms=terms)  # pressure, intensity


def test_batch_equals_one_by_one(seven, model):
    images = [seven, seven.T.copy(), np.roll(seven, 3, axis=1)]
    batch = strokebot.trace_batch(images, model=model)
    for image, drawing in zip(images, batch, strict=True):
        assert_same_strokes(strokebot.trace(image, model=model), drawing, model)


def test_normalised_bulk_path_equals_general_path(seven, model):
    images = [(seven * 255).astype(np.uint8)] * 3
    fast = strokebot.trace_batch(images, model=model, normalised=True, clean=False)
    slow = [strokebot.trace(i, model=model, normalised=True, clean=False) for i in images]
    for a, b in zip(fast, slow, strict=True):
        assert_same_strokes(a, b, model)


def test_framed_arrays_in_bulk_go_to_the_student(seven, model, fast_model):
    """With no model chosen, MNIST-like arrays traced as they are get the stroke model's student."""
    from strokebot.tracing import student_of

    assert student_of(model) is fast_model and fast_model.metrics["teacher"] == model.name
    images = [(seven * 255).astype(np.uint8)] * 2
    default = strokebot.trace_batch(images, normalised=True, clean=False)
    assert [d.model for d in default] == [fast_model.name] * 2
    for a, b in zip(default, strokebot.trace_batch(images, normalised=True, clean=False, fast=True), strict=True):
        assert_same_strokes(a, b, fast_model)
    assert strokebot.trace(images[0], normalised=True, clean=False).model == fast_model.name
    # Anything else is the stroke model's: kept by fast=False, cleaned, refined, another size, a chosen model.
    assert strokebot.trace_batch(images, normalised=True, clean=False, fast=False)[0].model == model.name
    assert strokebot.trace(images[0], normalised=True).model == model.name
    assert strokebot.trace(images[0], normalised=True, clean=False, refine=1).model == model.name
    assert strokebot.trace(np.pad(images[0], 2), normalised=True, clean=False).model == model.name
    assert strokebot.trace(images[0], model=model, normalised=True, clean=False).model == model.name


def test_a_student_of_another_model_is_not_used(seven, model, fast_model, monkeypatch):
    """A stroke model retrained without its fast model keeps drawing framed arrays itself."""
    from strokebot.tracing import student_of

    monkeypatch.setattr(fast_model, "metrics", {**fast_model.metrics, "teacher": "strokebot-default 0.1"})
    assert student_of(model) is None and student_of(fast_model) is None
    image = (seven * 255).astype(np.uint8)
    assert strokebot.trace_batch([image], normalised=True, clean=False)[0].model == model.name


def test_words_keep_glyphs_in_place(word_photo):
    drawing, ink = prepare_and_trace(word_photo)
    assert drawing.glyph_count == 3
    assert (drawing.width, drawing.height) == (260, 120)
    for stroke in drawing.strokes:
        x0, y0, x1, y1 = drawing.glyph_boxes[stroke.glyph]
        margin = 0.25 * max(x1 - x0, y1 - y0) + 4
        assert (stroke.xy[:, 0] > x0 - margin).all() and (stroke.xy[:, 0] < x1 + margin).all()
        assert (stroke.xy[:, 1] > y0 - margin).all() and (stroke.xy[:, 1] < y1 + margin).all()
    # Glyphs are traced in reading order.
    firsts = [min(s.xy[:, 0].min() for s in drawing.strokes if s.glyph == g) for g in range(3)]
    assert firsts == sorted(firsts)


@pytest.mark.parametrize("size", [28, 64, 200])
def test_end_to_end_known_strokes(size):
    """Draw known strokes, trace them, and find the strokes within a stated tolerance."""
    s = size / 28
    truth = [np.array([(8, 6), (20, 6), (13, 23)]) * s]  # a 7
    ink = draw_polylines(truth, size=(size, size), width=2.4 * s)
    drawing = strokebot.trace(ink)
    # Tolerance: 3 % of the glyph's extent (0.5 px on a 28-px digit) for the encoder alone; the
    # bundled model lands within 0.3-0.5 % (0.08 px at 28 px, 0.36 px at 200 px).
    assert chamfer([st.points for st in drawing.strokes], truth) < 0.03 * 17 * s


def _gesture_strokes_reference(gestures, threshold=0.5):
    """The stroke extraction written as a plain loop per gesture and per run, to check the fast one."""
    positions = gestures.positions()
    result = []
    for b in range(len(gestures.intensity)):
        intensity = gestures.intensity[b]
        if not (intensity > threshold).any():
            threshold_b = (intensity.mean() + intensity.max()) / 2
            down = [v >= threshold_b for v in intensity] + [False]
        else:
            down = list(intensity > threshold) + [False]
        strokes, a = [], None
        for k, on in enumerate(down):
            if on and a is None:
                a = k
            elif not on and a is not None:
                points = [(*positions[b, i], gestures.pressure[b, min(i, k - 1)], gestures.intensity[b, min(i, k - 1)]) for i in range(a, k + 1)]
                strokes.append(np.array(points, np.float64))
                a = None
        result.append(strokes)
    return result


def test_gesture_strokes_match_a_loop_per_run():
    rng = np.random.default_rng(7)
    for steps, batch in [(1, 3), (5, 40), (32, 200)]:
        intensity = rng.random((batch, steps)).astype(np.float32)
        intensity[0] = 0.0  # a gesture that never clears the threshold: it draws all the same
        intensity[-1] = np.minimum(intensity[-1], 0.4)
        g = GestureArrays(rng.random((batch, 2)) * 28, rng.normal(size=(batch, steps, 2)), rng.random((batch, steps)), intensity)
        fast, slow = gesture_strokes(g), _gesture_strokes_reference(g)
        assert len(fast[0]) == 1 and all(fast) and [len(s) for s in fast] == [len(s) for s in slow]
        for a, b in zip(fast, slow, strict=True):
            for sa, sb in zip(a, b, strict=True):
                assert sa.dtype == np.float64
                np.testing.assert_array_equal(sa, sb)


def test_batch_strokes_are_read_only_views_with_their_glyphs(word_photo, model):
    drawing = strokebot.trace(word_photo, model=model)
    for stroke in drawing.strokes:
        assert not stroke.points.flags.writeable and stroke.points.dtype == np.float64
        assert stroke.points.shape[1] == 4 and np.isfinite(stroke.points).all()
        assert isinstance(stroke.glyph, int) and 0 <= stroke.glyph < drawing.glyph_count
    with pytest.raises(ValueError):
        drawing.strokes[0].points[0, 0] = 1.0


def test_bulk_path_takes_any_pixel_type(seven, model):
    as_bytes = (seven * 255).astype(np.uint8)
    same = strokebot.trace_batch([as_bytes, as_bytes], model=model, normalised=True, clean=False)
    mixed = strokebot.trace_batch([as_bytes, as_bytes.astype(np.float32) / 255], model=model, normalised=True, clean=False)
    for drawing in (*same, *mixed):
        assert [len(s) for s in drawing.strokes] == [len(s) for s in same[0].strokes]
    assert_same_strokes(mixed[1], same[0], model)
