"""strokebot.metrics: ink overlap, centre-line distances, skeletons, rasterising."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest

from strokebot.datasets import render_strokes
from strokebot.drawing import Drawing, Stroke
from strokebot.errors import UsageError
from strokebot.imaging import label_components
from strokebot.metrics import (
    chamfer_distance,
    drawing_like_a_person,
    drawing_points,
    ink_iou,
    ink_precision_recall,
    line_widths,
    nearest_distances,
    rasterise,
    retraced_length,
    sample_polyline,
    sample_polylines,
    skeleton,
    skeleton_points,
)


def bar(shape=(20, 30), rows=(9, 12), cols=(5, 25)) -> np.ndarray:
    ink = np.zeros(shape, np.float32)
    ink[rows[0] : rows[1], cols[0] : cols[1]] = 1
    return ink


# -- ink overlap -----------------------------------------------------------------------------------


def test_iou_known_answers():
    a, b = bar(cols=(5, 15)), bar(cols=(10, 20))
    assert ink_iou(a, a) == 1.0
    assert ink_iou(a, b) == pytest.approx(5 / 15)
    assert ink_iou(a, bar(cols=(20, 25))) == 0.0
    assert ink_iou(np.zeros((3, 3)), np.zeros((3, 3))) == 1.0  # both blank: nothing to disagree on


def test_precision_recall_known_answers():
    ink, drawn = bar(cols=(5, 15)), bar(cols=(10, 25))
    precision, recall = ink_precision_recall(drawn, ink)
    assert precision == pytest.approx(5 / 15) and recall == pytest.approx(5 / 10)
    assert ink_precision_recall(np.zeros_like(ink), ink) == (1.0, 0.0)


def test_threshold_decides_what_is_ink():
    a = np.full((2, 2), 0.4)
    assert ink_iou(a, np.ones((2, 2))) == 0.0
    assert ink_iou(a, np.ones((2, 2)), threshold=0.3) == 1.0


@pytest.mark.parametrize("a, b", [(np.zeros((3, 3)), np.zeros((3, 4))), (np.zeros(9), np.zeros(9)), (np.zeros((1, 3, 3)),) * 2])
def test_overlap_bad_input(a, b):
    with pytest.raises(UsageError):
        ink_iou(a, b)
    with pytest.raises(UsageError):
        ink_precision_recall(a, b)


# -- sampling and Chamfer --------------------------------------------------------------------------


def test_sample_polyline_spacing_and_vertices():
    points = sample_polyline([[0, 0], [3, 0], [3, 2]], spacing=0.5)
    assert points.shape == (11, 2)
    steps = np.hypot(*np.diff(points, axis=0).T)
    assert steps.max() <= 0.5 + 1e-12
    for vertex in ([0, 0], [3, 0], [3, 2]):
        assert np.isclose(points, vertex).all(axis=1).any()


def test_sample_polyline_takes_stroke_points_and_single_points():
    four = np.array([[0, 0, 0.5, 1], [1, 0, 0.5, 1]])
    assert sample_polyline(four, spacing=0.25).shape == (5, 2)
    assert sample_polyline([[2, 3]]).tolist() == [[2.0, 3.0]]
    assert sample_polylines([]).shape == (0, 2)


@pytest.mark.parametrize("points, spacing", [([[0], [1]], 0.5), (np.zeros((0, 2)), 0.5), ([0, 1], 0.5), ([[0, 0], [1, 1]], 0)])
def test_sample_polyline_bad_input(points, spacing):
    with pytest.raises(UsageError):
        sample_polyline(points, spacing=spacing)


@pytest.mark.parametrize("k", [0.0, 0.5, 1.0, 3.0, 7.25])
def test_chamfer_of_a_shifted_line_is_the_shift(k):
    line = sample_polylines([np.array([[2.0, 5.0], [40.0, 5.0]])])
    shifted = line + [0.0, k]
    assert chamfer_distance(line, shifted) == pytest.approx(k)
    assert chamfer_distance(line, shifted, directed=True) == pytest.approx(k)


def test_chamfer_is_symmetric_and_counts_missed_parts():
    long = sample_polylines([[[0, 0], [10, 0]]], spacing=0.5)
    short = sample_polylines([[[0, 0], [5, 0]]], spacing=0.5)
    assert chamfer_distance(short, long, directed=True) == 0.0
    missed = chamfer_distance(long, short, directed=True)  # points 5.5..10 are 0.5..5 away: mean 1.25
    assert missed == pytest.approx(np.mean(np.clip(np.arange(0, 10.01, 0.5) - 5, 0, None)))
    assert chamfer_distance(long, short) == pytest.approx(missed / 2) == chamfer_distance(short, long)


def test_chamfer_empty_sets():
    empty = np.zeros((0, 2))
    assert chamfer_distance(empty, empty) == 0.0
    assert chamfer_distance(empty, [[1.0, 1.0]]) == np.inf
    assert nearest_distances([[1.0, 1.0]], empty).tolist() == [np.inf]


def test_nearest_distances_agree_with_brute_force():
    rng = np.random.default_rng(0)
    a, b = rng.uniform(0, 50, (200, 2)), rng.uniform(0, 50, (150, 2))
    brute = np.sqrt(((a[:, None] - b[None]) ** 2).sum(-1)).min(axis=1)
    np.testing.assert_allclose(nearest_distances(a, b), brute, rtol=1e-12)


def test_chamfer_bad_input():
    with pytest.raises(UsageError):
        chamfer_distance(np.zeros((3, 3)), np.zeros((3, 2)))


def test_drawing_points_cover_pen_down_paths_only():
    drawing = Drawing([Stroke([[0, 0], [4, 0]]), Stroke([[10, 0], [14, 0]])], width=20, height=5)
    points = drawing_points(drawing, spacing=1.0)
    assert len(points) == 10
    assert not ((points[:, 0] > 4) & (points[:, 0] < 10)).any()  # nothing along the pen-up move


# -- skeleton --------------------------------------------------------------------------------------


def test_skeleton_of_a_bar_is_its_middle_row():
    rows, cols = np.nonzero(skeleton(bar()))
    assert set(rows.tolist()) == {10}
    assert cols.min() >= 5 and cols.max() <= 24 and len(cols) >= 14


def test_skeleton_edge_cases():
    assert not skeleton(np.zeros((5, 5))).any()
    one = np.zeros((5, 5))
    one[2, 2] = 1
    assert skeleton(one).sum() == 1
    thin = np.zeros((5, 9))
    thin[2, 1:8] = 1  # already one pixel wide: left as is
    np.testing.assert_array_equal(skeleton(thin), thin > 0.5)
    with pytest.raises(UsageError):
        skeleton(np.zeros(5))


def test_skeleton_points_are_pixel_centres():
    thin = np.zeros((5, 9))
    thin[2, 1:4] = 1
    assert skeleton_points(thin).tolist() == [[1.5, 2.5], [2.5, 2.5], [3.5, 2.5]]


def glyph_inks():
    shapes = [
        [[(5, 5), (40, 40)], [(40, 5), (5, 40)]],  # an X
        [[(8, 30), (22, 6), (36, 30)], [(13, 21), (31, 21)]],  # an A
        [[(10, 10), (35, 10), (35, 35), (10, 35), (10, 10)]],  # a ring
    ]
    return [render_strokes([np.array(s, float) for s in strokes], (45, 45), width) for strokes in shapes for width in (2.0, 5.0)]


@pytest.mark.parametrize("ink", glyph_inks())
def test_skeleton_is_thin_connected_and_inside_the_ink(ink):
    skel = skeleton(ink)
    mask = ink > 0.5
    assert (skel <= mask).all()
    assert label_components(skel)[1] == label_components(mask)[1]
    assert skel.sum() < 0.7 * mask.sum() or mask.sum() < 80


@pytest.mark.parametrize("ink", glyph_inks())
def test_skeleton_agrees_with_scikit_image(ink):
    morphology = pytest.importorskip("skimage.morphology")
    reference = np.stack(np.nonzero(morphology.skeletonize(ink > 0.5)), axis=1)[:, ::-1] + 0.5
    assert chamfer_distance(skeleton_points(ink), reference) < 0.5


# -- rasterising -----------------------------------------------------------------------------------


def test_rasterise_a_stroke_covers_exactly_its_width():
    drawing = Drawing([Stroke([[6.5, 10.5], [23.5, 10.5]])], width=30, height=20, pen_width=3)
    drawn = rasterise(drawing)
    assert drawn.shape == (20, 30) and drawn.dtype == np.float32
    np.testing.assert_array_equal(drawn > 0.5, bar() > 0.5)


def test_identical_drawing_has_iou_one():
    drawing = Drawing([Stroke([[5, 5], [30, 20], [10, 35]]), Stroke([[30, 5], [32, 30]])], width=40, height=40, pen_width=4)
    ink = rasterise(drawing)
    assert ink_iou(rasterise(drawing), ink) == 1.0


def test_pen_up_moves_leave_no_ink():
    drawing = Drawing([Stroke([[2, 5], [6, 5]]), Stroke([[20, 5], [24, 5]])], width=30, height=10, pen_width=2)
    drawn = rasterise(drawing)
    assert drawn[:, 9:17].max() == 0.0
    assert drawn[5, 3] == 1.0 and drawn[5, 22] == 1.0


def test_rasterise_dot_pressure_scale_and_hard_edges():
    dot = Drawing([Stroke([[5, 5]])], width=10, height=10, pen_width=4)
    assert (rasterise(dot) > 0.5).sum() == 12  # pixel centres within 2 px of (5, 5)
    heavy = Drawing([Stroke([[5, 5, 1.0, 1.0]])], width=10, height=10, pen_width=4)  # pressure 1: 1.5 x wider
    assert (rasterise(heavy) > 0.5).sum() > (rasterise(dot) > 0.5).sum()
    assert line_widths(heavy)[0].tolist() == [6.0]
    big = rasterise(dot, scale=3.0)
    assert big.shape == (30, 30) and (big > 0.5).sum() == pytest.approx(12 * 9, rel=0.15)
    assert set(np.unique(rasterise(dot, antialias=False)).tolist()) == {0.0, 1.0}


def test_rasterise_bad_input():
    drawing = Drawing([Stroke([[5, 5]])], width=10, height=10)
    with pytest.raises(UsageError):
        rasterise(drawing, scale=0)
    with pytest.raises(UsageError):
        rasterise(drawing, (0, 10))
    with pytest.raises(UsageError):
        rasterise(drawing, pen_width=-1)


def slow_coverage(polyline: np.ndarray, width: float, size: int, supersample: int = 8) -> np.ndarray:
    """Reference: the share of each pixel's sub-samples within ``width / 2`` of the polyline."""
    out = np.zeros((size, size))
    offsets = (np.arange(supersample) + 0.5) / supersample
    for row in range(size):
        for col in range(size):
            q = np.stack(np.meshgrid(col + offsets, row + offsets), -1).reshape(-1, 2)
            nearest = np.full(len(q), np.inf)
            for a, b in pairwise(polyline):
                t = np.clip(((q - a) @ (b - a)) / ((b - a) @ (b - a)), 0, 1)
                nearest = np.minimum(nearest, np.hypot(*(q - a - t[:, None] * (b - a)).T))
            out[row, col] = (nearest <= width / 2).mean()
    return out


def test_rasterise_agrees_with_a_slow_reference():
    polyline = np.array([[3.0, 4.0], [17.0, 7.5], [10.0, 18.0]])
    reference = slow_coverage(polyline, 3.0, 22)
    drawn = rasterise(Drawing([Stroke(polyline)], width=22, height=22, pen_width=3.0))
    assert ink_iou(drawn, reference) > 0.97
    assert np.abs(drawn - reference).max() < 0.35  # the edge ramp approximates coverage
    assert drawn.sum() == pytest.approx(reference.sum(), rel=0.03)


# -- drawing like a person -------------------------------------------------------------------------


def _two_bars():
    return [np.array([[10.0, 10.0], [50.0, 10.0]]), np.array([[10.0, 30.0], [50.0, 30.0]])]


def test_a_drawing_of_the_true_strokes_scores_perfectly():
    true = _two_bars()
    figures = drawing_like_a_person(true, true, render_strokes(true, (60, 40), 4.0))
    assert figures["direction"] == 1.0 and figures["order"] == 1.0
    assert figures["chamfer"] == pytest.approx(0.0, abs=1e-9)
    assert figures["strokes"] == figures["true_strokes"] == 2
    assert figures["off_ink"] == 0.0 and figures["length_ratio"] == pytest.approx(1.0)


def test_reversed_strokes_in_reversed_order_score_minus_one_and_zero():
    true = _two_bars()
    figures = drawing_like_a_person([s[::-1] for s in true[::-1]], true)
    assert figures["direction"] == 0.0 and figures["order"] == -1.0
    assert np.isnan(figures["off_ink"])  # no ink given


def test_one_stroke_for_two_keeps_order_and_direction_of_each():
    true = _two_bars()
    joined = [np.vstack(true)]  # the pen goes on from the first bar's end to the second's start
    figures = drawing_like_a_person(joined, true, render_strokes(true, (60, 40), 4.0))
    assert figures["direction"] == 1.0 and figures["order"] == 1.0 and figures["strokes"] == 1
    assert figures["off_ink"] > 0.2  # the connector crosses bare paper
    assert figures["length_ratio"] == pytest.approx((80 + np.hypot(40, 20)) / 80)


def test_dots_have_no_direction_and_single_strokes_no_order():
    dot = [np.array([[5.0, 5.0]])]
    figures = drawing_like_a_person(dot, dot)
    assert np.isnan(figures["direction"]) and np.isnan(figures["order"])


def test_a_font_filled_dot_has_no_direction_but_a_short_bar_has():
    # Hershey's script fonts fill an i's dot with a closed ring 3-4 px across: no way to see its direction.
    ring = np.array([[10.0, 10.0], [11.9, 8.1], [13.8, 10.0], [11.9, 11.9], [10.0, 10.0]])
    bar = np.array([[20.0, 10.0], [25.0, 10.0]])
    tapped = [np.array([[11.9, 10.0]]), bar]  # the dot tapped, then the bar drawn the true way
    figures = drawing_like_a_person(tapped, [ring, bar])
    assert figures["direction"] == 1.0 and figures["order"] == 1.0
    assert drawing_like_a_person([bar[::-1]], [bar])["direction"] == 0.0  # 5 px: a stroke, not a dot


def test_an_empty_drawing_is_measured_without_error():
    figures = drawing_like_a_person([], _two_bars(), np.zeros((40, 60)))
    assert figures["strokes"] == 0 and figures["chamfer"] == float("inf") and figures["off_ink"] == 0.0


def test_rank_correlations_agree_with_scipy():
    from scipy import stats

    from strokebot.metrics import kendall_tau, spearman

    rng = np.random.default_rng(3)
    for _ in range(20):
        a, b = rng.integers(0, 5, 12), rng.normal(size=12)
        assert spearman(a, b) == pytest.approx(stats.spearmanr(a, b).statistic)
        assert kendall_tau(a, b) == pytest.approx(stats.kendalltau(a, b).statistic)


# -- retracing -------------------------------------------------------------------------------------


def test_retraced_length_counts_a_line_drawn_twice_and_little_else():
    line = np.array([[0.0, 0.0], [40.0, 0.0]])
    # Out along a stem and back, in one stroke or as a second stroke over the first.
    assert retraced_length([np.vstack([line, line[::-1]])], reach=1.0) == pytest.approx(38.0, abs=1.0)
    assert retraced_length([line, line[::-1]], reach=1.0) == pytest.approx(38.0, abs=1.0)
    # A plain cross: only where the second line passes over the first, about 2 * reach.
    cross = [line, np.array([[20.0, -20.0], [20.0, 20.0]])]
    assert 1.5 <= retraced_length(cross, reach=1.0) <= 2.5
    # A circle (its end meets its start), a zigzag with sharp teeth, parallel lines a pen width
    # apart: nothing drawn twice.
    t = np.linspace(0, 2 * np.pi, 200)
    assert retraced_length([np.stack([20 * np.cos(t), 20 * np.sin(t)], axis=1)], reach=1.0) < 1.5
    zigzag = np.array([[0.0, 0.0], [5.0, 20.0], [10.0, 0.0], [15.0, 20.0], [20.0, 0.0]])
    assert retraced_length([zigzag], reach=1.0) < 1.0
    assert retraced_length([line, line + (0.0, 2.5)], reach=1.0) == 0.0
    assert retraced_length([], reach=1.0) == 0.0
    with pytest.raises(UsageError):
        retraced_length([line], reach=0.0)
