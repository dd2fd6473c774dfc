"""strokebot.refine: fitting strokes to the image, never worse than the start."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from strokebot.drawing import Drawing, Stroke
from strokebot.errors import UsageError
from strokebot.metrics import chamfer_distance, drawing_points, rasterise, sample_polylines
from strokebot.model.render import render_segments
from strokebot.refine import RefineResult, Settings, objective, refine, render_sparse

#: A glyph like a capital A: two legs and a bar, three pen-down strokes, pen 3 px.
A_STROKES = [np.array([[8.0, 34.0], [20.0, 6.0], [32.0, 34.0]]), np.array([[13.0, 23.0], [27.0, 23.0]])]


def a_drawing(strokes=A_STROKES, *, pen_width: float = 3.0, size: int = 40) -> Drawing:
    return Drawing([Stroke(s) for s in strokes], width=size, height=size, pen_width=pen_width)


def a_ink() -> np.ndarray:
    return rasterise(a_drawing())


def perturbed(seed: int = 0, shift: float = 2.0) -> Drawing:
    rng = np.random.default_rng(seed)
    strokes = [s + shift + rng.normal(0, 1.0, s.shape) for s in A_STROKES]
    return a_drawing(strokes, pen_width=5.0)


def truth_distance(drawing: Drawing) -> float:
    return chamfer_distance(drawing_points(drawing), sample_polylines(A_STROKES))


def score_value(result_score, ink) -> float:
    from strokebot.imaging import stroke_width

    return objective(result_score, ink_width=stroke_width(ink))


# -- smoke, shapes, bad input ----------------------------------------------------------------------


def test_smoke():
    result = refine(perturbed(), a_ink(), steps=5)
    assert isinstance(result, RefineResult)
    assert result.steps == 5 and result.seconds > 0 and result.drawing.units == "px"
    assert result.drawing.width == 40 and result.drawing.pen_width > 0
    assert "IoU" in result.line()


def test_zero_steps_return_the_start():
    start = perturbed()
    result = refine(start, a_ink(), steps=0)
    assert result.drawing is start and result.after == result.before and result.kept == "start"


def test_empty_drawing_is_returned_as_is():
    empty = Drawing([], width=40, height=40)
    assert refine(empty, a_ink(), steps=10).drawing is empty


@pytest.mark.parametrize(
    "kwargs",
    [{"steps": -1}, {"steps": 5, "no_such_option": 1}],
)
def test_bad_options(kwargs):
    with pytest.raises(UsageError):
        refine(perturbed(), a_ink(), **kwargs)


@pytest.mark.parametrize("ink", [np.zeros(40), np.zeros((40, 30))])
def test_bad_ink(ink):
    with pytest.raises(UsageError):
        refine(perturbed(), ink, steps=5)


# -- what it achieves ------------------------------------------------------------------------------


def test_a_short_refine_fixes_a_perturbed_glyph():
    start = perturbed()
    ink = a_ink()
    result = refine(start, ink, steps=60)
    assert truth_distance(result.drawing) < 0.5 * truth_distance(start)
    assert truth_distance(result.drawing) < 0.6
    assert result.after.iou > 0.85 > result.before.iou
    assert result.drawing.pen_width == pytest.approx(3.0, rel=0.25)
    assert result.after.pen_lifts == 2


@pytest.mark.parametrize("seed", range(4))
def test_never_worse_than_the_start(seed):
    ink = a_ink()
    rng = np.random.default_rng(seed)
    starts = [
        a_drawing(),  # already right
        a_drawing([rng.uniform(0, 40, (6, 2)) for _ in range(3)]),  # scribbles
        perturbed(seed, shift=rng.uniform(-4, 4)),
    ]
    for start in starts:
        result = refine(start, ink, steps=15)
        assert score_value(result.after, ink) <= score_value(result.before, ink) + 1e-9
        assert result.before == refine(start, ink, steps=0).before


def test_precision_is_not_bought_with_pen_lifts():
    ink = a_ink()
    one_stroke = a_drawing([A_STROKES[0] + 1.5], pen_width=4.0)  # the legs only, misplaced
    result = refine(one_stroke, ink, steps=40)
    assert result.after.pen_lifts == 1


def test_strokes_that_continue_over_ink_are_joined():
    leg = np.array([[8.0, 34.0], [20.0, 6.0], [32.0, 34.0]])
    pieces = [leg[:2] * [1, 1], np.array([[20.5, 7.0], [26.0, 20.0]]), np.array([[26.5, 21.0], [32.0, 34.0]])]
    start = a_drawing(pieces)
    ink = rasterise(a_drawing([leg]))
    result = refine(start, ink, steps=60)
    assert start.pen_lifts == 3 and result.after.pen_lifts == 1
    assert result.after.iou > 0.95


def test_glyphs_are_refined_separately_and_keep_their_numbers():
    left = [np.array([[5.0, 5.0], [5.0, 30.0]])]
    right = [np.array([[40.0, 5.0], [40.0, 30.0]])]
    truth = Drawing([Stroke(left[0], glyph=0), Stroke(right[0], glyph=1)], width=50, height=36, pen_width=3,
                    glyph_boxes=[(3, 3, 8, 32), (38, 3, 43, 32)])
    start = truth.replace(strokes=[Stroke(left[0] + [1.5, 0], glyph=0), Stroke(right[0] + [-1.5, 0.5], glyph=1)])
    result = refine(start, rasterise(truth), steps=40)
    assert [s.glyph for s in result.drawing.strokes] == [0, 1]
    assert chamfer_distance(drawing_points(result.drawing), drawing_points(truth)) < 0.5


def test_a_large_scan_is_fitted_at_reduced_resolution():
    scale = 30.0  # a 1200 px image, 90 px pen
    truth = a_drawing([s * scale for s in A_STROKES], pen_width=90.0, size=1200)
    start = truth.replace(strokes=[Stroke(s * scale + 40) for s in A_STROKES])
    result = refine(start, rasterise(truth), steps=30)
    assert result.after.iou > result.before.iou
    assert chamfer_distance(drawing_points(result.drawing), drawing_points(truth)) < 0.5 * 40


def test_threads_are_restored():
    before = torch.get_num_threads()
    refine(perturbed(), a_ink(), steps=3, settings=Settings(threads=1))
    assert torch.get_num_threads() == before


# -- the sparse renderer ---------------------------------------------------------------------------


def test_sparse_renderer_agrees_with_the_dense_one():
    points = torch.tensor([[3.0, 4.0], [17.0, 7.5], [10.0, 18.0], [11.0, 18.5]], dtype=torch.float64)
    widths = torch.tensor([2.0, 3.5, 1.0], dtype=torch.float64)
    intensity = torch.tensor([1.0, 0.7, 0.9], dtype=torch.float64)
    dense = render_segments(points[None], widths[None], intensity[None], 22, 24, composite="max")[0]
    sparse = render_sparse(points[:-1], points[1:], widths, intensity, 22, 24, softness=0.5)
    assert sparse.shape == (22, 24)
    torch.testing.assert_close(sparse, dense, atol=1e-3, rtol=0)


def test_sparse_renderer_gradients_reach_the_points():
    a = torch.tensor([[3.0, 4.0]], dtype=torch.float64, requires_grad=True)
    b = torch.tensor([[12.0, 9.0]], dtype=torch.float64, requires_grad=True)
    widths = torch.tensor([3.0], dtype=torch.float64)
    intensity = torch.tensor([1.0], dtype=torch.float64)
    assert torch.autograd.gradcheck(
        lambda a, b: render_sparse(a, b, widths, intensity, 14, 16, softness=0.5), (a, b), atol=1e-5
    )


def test_glyphs_of_different_widths_keep_their_widths():
    thin = Drawing([Stroke([[5.0, 5.0], [5.0, 40.0]], glyph=0)], width=60, height=46, pen_width=3)
    thick = Drawing([Stroke([[40.0, 5.0], [40.0, 40.0]], glyph=1)], width=60, height=46, pen_width=8)
    ink = np.maximum(rasterise(thin), rasterise(thick))
    start = thin.replace(
        strokes=[Stroke([[6.5, 6.0], [6.5, 39.0]], glyph=0), Stroke([[38.0, 6.0], [38.0, 39.0]], glyph=1)],
        glyph_boxes=[(3, 3, 8, 42), (35, 0, 45, 45)],
        pen_width=5,
    )
    result = refine(start, ink, steps=60)
    widths = [result.drawing.pen_width * (0.5 + s.pressure.mean()) for s in result.drawing.strokes]
    assert widths[0] == pytest.approx(3, rel=0.25) and widths[1] == pytest.approx(8, rel=0.25)
    assert result.after.iou > 0.85


def test_ink_no_stroke_covers_gets_a_stroke():
    start = a_drawing([A_STROKES[0] + 0.5])  # the legs only: the bar is missed
    result = refine(start, a_ink(), steps=60)
    assert result.before.recall < 0.85 < result.after.recall
    assert result.after.pen_lifts <= 2  # the bar may be joined on where the pen can reach it over ink
    assert truth_distance(result.drawing) < 0.6
