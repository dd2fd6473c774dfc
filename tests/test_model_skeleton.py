"""strokebot.model.skeleton: the ink's centre lines as a graph of branches between ends and junctions."""

from __future__ import annotations

import numpy as np
import pytest

from strokebot.datasets import render_strokes
from strokebot.model.skeleton import (
    Branch,
    StrokeGraph,
    _neighbour_codes,
    clean,
    ink_centre,
    ink_radius,
    stroke_graph,
    thin_skeleton,
)


def drawn(strokes, size=(120, 120), width=6.0) -> np.ndarray:
    return render_strokes([np.asarray(s, float) for s in strokes], size, width)


def degrees(graph) -> list[int]:
    return sorted(graph.degree(n) for n in range(len(graph.nodes)))


def test_a_straight_bar_is_one_branch_between_two_ends():
    graph = stroke_graph(drawn([[(20, 60), (100, 60)]]))
    assert len(graph.branches) == 1 and degrees(graph) == [1, 1]
    points = graph.branches[0].points
    assert np.abs(points[:, 1] - 60).max() < 0.75  # on the centre line
    assert min(points[0, 0], points[-1, 0]) < 24 and max(points[0, 0], points[-1, 0]) > 96


def test_a_plus_sign_is_four_branches_at_one_junction():
    graph = stroke_graph(drawn([[(20, 60), (100, 60)], [(60, 20), (60, 100)]]))
    assert len(graph.branches) == 4 and degrees(graph) == [1, 1, 1, 1, 4]
    junction = graph.nodes[[graph.degree(n) for n in range(len(graph.nodes))].index(4)]
    assert np.hypot(*(junction - (60, 60))) < 1.5


@pytest.mark.parametrize("slope", [0.6, 1.0, 1.7])
def test_a_crossing_is_one_junction(slope):
    # Thinning splits an X into two T's joined by a short branch; they are merged into one node.
    graph = stroke_graph(drawn([[(20, 60 - 40 * slope), (100, 60 + 40 * slope)], [(20, 60 + 40 * slope), (100, 60 - 40 * slope)]], size=(120, 200), width=8))
    assert degrees(graph) == [1, 1, 1, 1, 4]


def test_a_ring_is_one_closed_branch():
    t = np.linspace(0, 2 * np.pi, 200)
    graph = stroke_graph(drawn([np.stack([60 + 35 * np.cos(t), 60 + 35 * np.sin(t)], axis=1)]))
    assert len(graph.branches) == 1
    branch = graph.branches[0]
    assert branch.a == branch.b
    assert np.abs(np.hypot(*(branch.points - 60).T) - 35).max() < 1.0


def test_a_sharp_corner_cuts_a_line_into_two_branches():
    graph = stroke_graph(drawn([[(20, 20), (90, 20), (90, 100)]]))
    assert len(graph.branches) == 2 and degrees(graph) == [1, 1, 2]
    corner = graph.nodes[[graph.degree(n) for n in range(len(graph.nodes))].index(2)]
    assert np.hypot(*(corner - (90, 20))) < 3.0


@pytest.mark.parametrize("half_width", [12, 25])
def test_a_pointed_loop_on_a_stem_is_cut_at_its_tip_and_stays_joined_to_the_stem(half_width):
    # The loop of a joined-up l or e: up one side to a pointed tip, down the other, on down the stem.
    t = np.linspace(0, 1, 60)
    up = np.stack([60 + half_width * np.sin(np.pi * t), 70 - 55 * t], axis=1)
    down = np.stack([60 - half_width * np.sin(np.pi * t[::-1]), 70 - 55 * t[::-1]], axis=1)
    graph = stroke_graph(drawn([np.vstack([[(60, 110)], up, down[1:], [(60, 110)]])]))
    junction = int(np.argmax([graph.degree(n) for n in range(len(graph.nodes))]))
    tip = int(np.argmin(np.hypot(*(graph.nodes - (60, 15)).T)))
    assert graph.degree(junction) == 3 and np.hypot(*(graph.nodes[junction] - (60, 70))) < 8
    assert np.hypot(*(graph.nodes[tip] - (60, 15))) < 5  # cut at its tip
    # Both sides run from the stem's junction to the tip: the loop is not cut off the glyph.
    assert sum({b.a, b.b} == {junction, tip} for b in graph.branches) == 2


@pytest.mark.parametrize(("loop_radius", "kept"), [(2.0, False), (12.0, True)])
def test_a_loop_inside_its_junctions_ink_is_a_holes_rim_and_dropped(loop_radius, kept):
    # A line through a junction of ink radius 4, with a loop on the junction: a small one never
    # leaves the junction's ink (bare chalk where lines cross), a large one is a loop a pen draws.
    t = np.linspace(0, 2 * np.pi, 40)
    loop = np.stack([50 + loop_radius * (1 - np.cos(t)), 50 + loop_radius * np.sin(t)], axis=1)
    left, right = (np.stack([np.linspace(50, x, 20), np.full(20, 50.0)], axis=1) for x in (10, 90))
    graph = StrokeGraph(
        np.array([(50.0, 50.0), (10.0, 50.0), (90.0, 50.0)]),
        np.array([4.0, 3.0, 3.0]),
        [Branch(left, np.full(20, 3.0), 0, 1), Branch(right, np.full(20, 3.0), 0, 2), Branch(loop, np.full(40, 1.0), 0, 0)],
    )
    cleaned = clean(graph)
    assert any(b.a == b.b for b in cleaned.branches) == kept
    if not kept:  # the junction is gone with it: the line is one branch end to end
        assert len(cleaned.branches) == 1 and np.ptp(cleaned.branches[0].points[:, 0]) == 80


def test_a_gentle_curve_is_not_cut():
    t = np.linspace(0, np.pi / 2, 100)
    graph = stroke_graph(drawn([np.stack([20 + 80 * np.sin(t), 100 - 80 * (1 - np.cos(t))], axis=1)]))
    assert len(graph.branches) == 1


def test_spurs_are_marked_not_dropped():
    # A thick bar with square ends: thinning grows short forks at the ends.
    ink = np.zeros((60, 140), np.float32)
    ink[20:40, 10:130] = 1
    graph = stroke_graph(ink)
    long = [b for b in graph.branches if not b.spur]
    assert len(long) >= 1 and max(b.length for b in long) > 90
    assert all(b.length <= 1.2 * 10 + 1.5 for b in graph.branches if b.spur)


def test_the_fork_at_a_thick_pens_sharp_corner_is_marked_and_folded_into_a_corner():
    # A V drawn with a 14-px pen: thinning forks above the tip, and the short stem of the fork points
    # at the tip. clean() marks it (it used to be unmarked again from its own line end, so no spur
    # ever reached the stroke model); stroke_graph() folds it: the V is two lines meeting at a corner
    # at the tip, as it is for a thin pen.
    from strokebot.datasets import render_strokes
    from strokebot.model.skeleton import _raw_graph, clean, thin_skeleton

    for width in (4, 8, 14, 20):
        ink = render_strokes([np.array([(20.0, 30.0), (50.0, 110.0), (80.0, 30.0)])], (100, 140), width)
        if width == 14:
            cleaned = clean(_raw_graph(thin_skeleton(ink), ink))
            spurs = [b for b in cleaned.branches if b.spur]
            assert len(spurs) == 1 and len(cleaned.branches) == 3
        graph = stroke_graph(ink)
        assert len(graph.branches) == 2 and not any(b.spur for b in graph.branches), width
        corner = [n for n in range(len(graph.nodes)) if graph.degree(n) == 2]
        assert len(corner) == 1, width
        x, y = graph.nodes[corner[0]]
        assert abs(x - 50) < 2 and y > 104, (width, x, y)  # at the tip of the V


@pytest.mark.parametrize("opening", [22, 28, 36])
def test_a_narrow_vs_long_fork_is_folded_into_its_tip(opening):
    # Arms 22-36 degrees apart and a pen a fifth of the V's height: the fork thinning grows above
    # the tip is 2-4 pen radii long, too long for a spur, and used to stay a stem of its own (three
    # strokes). It is straight, on the arms' outer bisector and as long as the pen's turn makes it.
    half = 70 * np.tan(np.radians(opening / 2))
    ink = render_strokes([np.array([(60 - half, 20.0), (60.0, 90.0), (60 + half, 20.0)])], (120, 110), 14)
    graph = stroke_graph(ink)
    assert len(graph.branches) == 2, opening
    (corner,) = [n for n in range(len(graph.nodes)) if graph.degree(n) == 2]
    x, y = graph.nodes[corner]
    assert abs(x - 60) < 2 and y > 84, (opening, x, y)  # at the tip of the V


def test_a_stem_below_a_junction_is_not_folded():
    # A Y whose stem is four pen widths long: a line of its own, however narrow the arms' opening.
    ink = render_strokes([np.array([(45.0, 10.0), (60.0, 60.0), (75.0, 10.0)]), np.array([(60.0, 60.0), (60.0, 110.0)])], (120, 120), 12)
    graph = stroke_graph(ink)
    assert max(graph.degree(n) for n in range(len(graph.nodes))) == 3


def test_an_overshoot_at_a_right_angled_corner_is_not_folded():
    # The corner of a box whose top overshoots its side (as in 口): the overshoot runs on along the top,
    # not along the corner's bisector, so it stays a branch of its own.
    from strokebot.datasets import render_strokes

    ink = render_strokes([np.array([(20.0, 30.0), (110.0, 30.0)]), np.array([(90.0, 30.0), (90.0, 110.0)])], (140, 130), 8)
    graph = stroke_graph(ink)
    assert max(graph.degree(n) for n in range(len(graph.nodes))) == 3


def test_a_dot_is_a_branch_of_one_point():
    ink = np.zeros((20, 20), np.float32)
    ink[9:11, 9:11] = 1
    graph = stroke_graph(ink)
    assert len(graph.branches) == 1 and len(graph.branches[0].points) == 1


@pytest.mark.parametrize("angle", [0, 20, 45, 70, 90, 135])
def test_thinned_lines_have_no_staircase_corners(angle):
    a = np.radians(angle)
    line = [(60 - 45 * np.cos(a), 60 - 45 * np.sin(a)), (60 + 45 * np.cos(a), 60 + 45 * np.sin(a))]
    mask = thin_skeleton(drawn([line], width=5))
    neighbours = np.array([bin(c).count("1") for c in range(256)])[_neighbour_codes(mask)]
    assert (neighbours[mask] <= 2).all()  # ends have 1, the rest 2: no pixel is a false junction
    assert (neighbours[mask] == 1).sum() == 2


@pytest.mark.parametrize("width", [3, 4, 5, 6, 8, 10])
@pytest.mark.parametrize("offset", [0.0, 0.25, 0.5, 0.75])
def test_a_diagonal_is_thinned_whole_wherever_it_lies_on_the_pixel_grid(width, offset):
    # Zhang–Suen wears a 45° band down to a two-pixel staircase and then erases it: a line a quarter
    # pixel off the grid thinned to 1 or 2 pixels, and each arm of a thick X went the same way.
    for lines in ([[(20 + offset, 100), (100 + offset, 20)]], [[(20 + offset, 20), (100 + offset, 100)], [(20 + offset, 100), (100 + offset, 20)]]):
        mask = thin_skeleton(drawn(lines, width=width))
        assert mask.sum() > 0.8 * 80 * len(lines), (lines, mask.sum())
        graph = stroke_graph(drawn(lines, width=width))
        assert sum(b.length for b in graph.branches) > 0.8 * 113 * len(lines)


def test_ink_radius_is_the_distance_to_the_paper():
    ink = np.zeros((30, 40), np.float32)
    ink[10:19, 5:35] = 1  # 9 rows thick: the middle row is 4.5 pixels from the paper's edge
    radius = ink_radius(ink, np.array([14, 10, 14]), np.array([20, 20, 5]))
    np.testing.assert_allclose(radius, [4.5, 0.5, 0.5])


def test_blank_ink_has_an_empty_graph():
    graph = stroke_graph(np.zeros((10, 10), np.float32))
    assert len(graph.branches) == 0 and len(graph.nodes) == 0


def test_specks_in_a_stroke_are_filled_but_a_counter_stays():
    from strokebot.model.skeleton import fill_specks

    ink = np.zeros((60, 140), np.float32)
    ink[20:40, 10:130] = 1
    ink[28:30, 30:32] = ink[25:27, 70:72] = ink[33:35, 100:102] = 0  # bare spots, as chalk leaves
    assert len(stroke_graph(ink).branches) <= 3  # without filling: rings around every spot
    assert fill_specks(ink)[20:40, 10:130].min() == 1.0
    t = np.linspace(0, 2 * np.pi, 200)
    ring = drawn([np.stack([60 + 30 * np.cos(t), 60 + 30 * np.sin(t)], axis=1)], width=8)
    np.testing.assert_array_equal(fill_specks(ring), ring)  # an o's inside is far larger than a speck


@pytest.mark.parametrize("offset", [0.0, 0.3, -0.45])
def test_ink_centre_finds_the_middle_of_a_line_between_pixels(offset):
    ink = drawn([[(10, 40.5 + offset), (110, 40.5 + offset)]], width=5.0)  # anti-aliased edges
    on_pixels = np.column_stack([np.arange(30.0, 90.0), np.full(60, 40.5)])  # thinning's whole pixels
    centres, alone, _ = ink_centre(ink, on_pixels, np.full(60, 4.5))
    assert alone.all()
    np.testing.assert_allclose(centres[:, 1], 40.5 + offset, atol=0.08)
    np.testing.assert_allclose(centres[:, 0], on_pixels[:, 0])  # moved across the line only


def test_ink_centre_is_not_alone_where_another_stroke_runs_close():
    ink = drawn([[(10, 40), (110, 40)], [(60, 44), (110, 44)]], width=3.0)  # a second line from x = 60
    line = np.column_stack([np.arange(20.0, 100.0), np.full(80, 40.5)])
    _, alone, _ = ink_centre(ink, line, np.full(80, 3.5))
    assert alone[line[:, 0] < 55].all() and not alone[line[:, 0] > 65].any()
