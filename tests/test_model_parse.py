"""strokebot.model.parse and strokebot.model.truth: strokes from the graph, and what true strokes say of it."""

from __future__ import annotations

import numpy as np
import pytest

from strokebot.datasets import render_strokes
from strokebot.model.order import _loop_start
from strokebot.model.parse import (
    JUNCTION_FEATURES,
    STAY_CAP,
    GlyphContext,
    ParsedStroke,
    assemble,
    branch_ends,
    excursion_candidates,
    junction_features,
    pair_ends,
    stay_down,
    stay_down_candidates,
    straight_pairs,
)
from strokebot.model.skeleton import arc_lengths, stroke_graph
from strokebot.model.strokes import junction_pairs
from strokebot.model.truth import Matcher, join_labels, stroke_labels


def glyph(strokes, size=(120, 120), width=6.0):
    strokes = [np.asarray(s, float) for s in strokes]
    return render_strokes(strokes, size, width), strokes


def test_straight_through_junctions_gives_the_strokes_of_a_plus():
    ink, _ = glyph([[(20, 60), (100, 60)], [(60, 20), (60, 100)]])
    strokes = assemble(stroke_graph(ink), straight_pairs(stroke_graph(ink)))
    assert len(strokes) == 2
    spans = sorted(tuple(np.ptp(s.points, axis=0).round()) for s in strokes)  # (x span, y span)
    assert spans[0][0] < 2 and spans[0][1] > 76  # the vertical, whole
    assert spans[1][1] < 2 and spans[1][0] > 76  # the horizontal, whole


def test_a_t_keeps_its_bar_whole_and_ends_the_stem_at_it():
    ink, _ = glyph([[(20, 30), (100, 30)], [(60, 30), (60, 100)]])
    graph = stroke_graph(ink)
    strokes = assemble(graph, straight_pairs(graph))
    assert len(strokes) == 2
    stem = min(strokes, key=lambda s: np.ptp(s.points[:, 0]))
    assert abs(stem.points[:, 1].min() - 30) < 2.5  # it reaches the bar's centre line


def test_joined_pieces_run_straight_through_the_junction():
    # Thinning bends a line towards a branch leaving it; the joined stroke is straight there.
    ink, _ = glyph([[(10, 60), (110, 60)], [(60, 60), (60, 110)]], width=10)
    graph = stroke_graph(ink)
    bar = max(assemble(graph, straight_pairs(graph)), key=lambda s: np.ptp(s.points[:, 0]))
    assert np.abs(bar.points[:, 1] - 60).max() < 1.0


def test_a_loop_is_one_closed_stroke():
    t = np.linspace(0, 2 * np.pi, 200)
    ink, _ = glyph([np.stack([60 + 35 * np.cos(t), 60 + 35 * np.sin(t)], axis=1)])
    graph = stroke_graph(ink)
    strokes = assemble(graph, straight_pairs(graph))
    assert len(strokes) == 1 and strokes[0].closed
    np.testing.assert_allclose(strokes[0].points[0], strokes[0].points[-1])


@pytest.mark.parametrize("corner", [[(20, 20), (90, 20), (90, 100)], [(20, 20), (60, 100), (100, 20)]])
def test_a_stroke_turning_at_a_corner_goes_into_the_corner_not_across_it(corner):
    # The skeleton cuts an L or a V at its corner; joined again into one stroke, the line turns where
    # the pen turned. Only at a junction of three or more branches does it go straight across the
    # junction's ink (thinning bends every branch into a crossing).
    ink, _ = glyph([corner])
    graph = stroke_graph(ink)
    (node,) = [n for n in range(len(graph.nodes)) if graph.degree(n) == 2]
    (stroke,) = assemble(graph, pair_ends(graph, lambda g, n, a, b: 1.0))
    assert np.hypot(*(stroke.points - graph.nodes[node]).T).min() < 1.0


@pytest.mark.parametrize(("opening", "width"), [(53, 6.0), (53, 10.0), (60, 3.0), (90, 6.0), (90, 10.0)])
def test_a_thick_pens_corner_is_drawn_to_its_tip(opening, width):
    # Thinning erodes a thick V from outside too: its corner node ended 4.5 px short of the tip of a
    # 53° V at a 6-px pen, 6 px at 10 px, off to one side at 90° (a short flat run), and smoothing
    # rounded what was left.
    half = np.radians(opening / 2)
    tip = np.array([60.0, 100.0])
    ink, _ = glyph([[tip + (-70 * np.tan(half), -70), tip, tip + (70 * np.tan(half), -70)]], size=(120 + 2 * int(70 * np.tan(half)), 120), width=width)
    ink = np.roll(ink, int(70 * np.tan(half)), axis=1)  # the V in the middle of its image
    tip = tip + (int(70 * np.tan(half)), 0)
    graph = stroke_graph(ink)
    (stroke,) = assemble(graph, pair_ends(graph, lambda g, n, a, b: 1.0))
    assert np.hypot(*(stroke.points - tip).T).min() < 1.2
    assert stroke.points[:, 1].max() < tip[1] + 1.0  # and not past it
    ink, _ = glyph([[(20, 60), (100, 60)]], width=8)
    graph = stroke_graph(ink)
    (stroke,) = assemble(graph, straight_pairs(graph))
    xs = sorted((stroke.points[0, 0], stroke.points[-1, 0]))
    assert abs(xs[0] - 20) < 2.5 and abs(xs[1] - 100) < 2.5


def test_junction_features_have_their_names_and_are_finite():
    ink, _ = glyph([[(20, 60), (100, 60)], [(60, 20), (60, 100)]])
    graph = stroke_graph(ink)
    context = GlyphContext.of(graph)
    pairs = junction_pairs(graph, context)
    assert len(pairs) == 6  # four ends meet: six pairs
    features = np.stack([junction_features(graph, n, a, b, context) for n, a, b in pairs])
    assert features.shape == (6, len(JUNCTION_FEATURES)) and np.isfinite(features).all()
    turns = sorted(features[:, JUNCTION_FEATURES.index("turn")].round(1).tolist())
    assert turns == [0.0, 0.0, 0.5, 0.5, 0.5, 0.5]  # two straight pairs, four right angles


def test_true_strokes_label_the_pairs_that_pass_through():
    ink, strokes = glyph([[(20, 60), (100, 60)], [(60, 20), (60, 100)]])
    graph = stroke_graph(ink)
    pairs = junction_pairs(graph, GlyphContext.of(graph))
    labels = join_labels(graph, pairs, Matcher(strokes))
    ends = branch_ends(graph)
    assert sum(labels) == 2  # the two straight pairs
    for (node, a, b), label in zip(pairs, labels, strict=True):
        assert a in ends[node] and b in ends[node]
        heading_a = graph.branches[a.branch].points[-1 if a.side else 0] - graph.branches[a.branch].points[0 if a.side else -1]
        heading_b = graph.branches[b.branch].points[-1 if b.side else 0] - graph.branches[b.branch].points[0 if b.side else -1]
        cosine = heading_a @ heading_b / np.hypot(*heading_a) / np.hypot(*heading_b)
        assert (cosine < -0.9) == bool(label)


def test_a_corner_between_two_strokes_is_not_a_join_but_a_turn_within_one_is():
    corner = [(20, 20), (90, 20), (90, 100)]
    ink, one = glyph([corner])
    _, two = glyph([corner[:2], corner[1:]])
    graph = stroke_graph(ink)
    pairs = junction_pairs(graph, GlyphContext.of(graph))
    assert len(pairs) == 1
    assert join_labels(graph, pairs, Matcher(one)).tolist() == [1.0]
    assert join_labels(graph, pairs, Matcher(two)).tolist() == [0.0]


def test_stroke_labels_give_direction_and_order():
    ink, strokes = glyph([[(20, 30), (100, 30)], [(100, 90), (20, 90)]])  # top left-to-right, then bottom right-to-left
    graph = stroke_graph(ink)
    parsed = assemble(graph, straight_pairs(graph))
    labels = stroke_labels(parsed, Matcher(strokes))
    for stroke, label in zip(parsed, labels, strict=True):
        top = stroke.points[:, 1].mean() < 60
        assert label.stroke == (0 if top else 1)
        runs_right = stroke.points[-1, 0] > stroke.points[0, 0]
        assert label.forwards == (runs_right if top else not runs_right)
    assert sorted(labels, key=lambda label: label.place)[0].stroke == 0


def test_smoothing_removes_the_staircase_without_shrinking_a_curve():
    # Thinning leaves a circle as a one-pixel staircase; averaging it used to pull the line inwards
    # (a traced 0 came out smaller than its ink: MNIST pixel accuracy 97.6 %, 98.3 % without).
    from strokebot.model.parse import _smoothed

    t = np.linspace(0, 2 * np.pi, 64, endpoint=False)
    exact = np.stack([10 * np.cos(t), 10 * np.sin(t)], axis=1)
    stairs = np.round(exact * 2) / 2  # points on a half-pixel grid
    ring = np.vstack([stairs, stairs[:1]])
    smooth = _smoothed(ring, closed=True)
    radius = np.hypot(*smooth[:-1].T)
    assert abs(radius.mean() - np.hypot(*stairs.T).mean()) < 0.02  # no shrinking
    assert radius.std() < 0.5 * np.hypot(*stairs.T).std()  # the staircase is damped
    np.testing.assert_allclose(smooth[0], smooth[-1])

    line = np.column_stack([np.arange(20.0), np.round(np.arange(20.0) * 0.3)])  # an open staircase
    straightened = _smoothed(line, closed=False)
    np.testing.assert_allclose(straightened[[0, -1]], line[[0, -1]])  # its ends stay


@pytest.mark.parametrize(("size", "pen"), [(120, 4.0), (400, 20.0)])
def test_a_straight_line_is_drawn_straight_at_any_slope_and_size(size, pen):
    # Thinning's staircase, damped but not flattened and then scaled up from the working scale, made
    # a straight line wobble: up to 180 degrees of turning in all, read every pen width, and up to
    # a sixth of the pen off the line. The centre line is moved onto the middle of the ink.
    import strokebot

    for degrees in (3, 8, 14, 27, 40, 63, 81):
        heading = np.array([np.cos(np.radians(degrees)), np.sin(np.radians(degrees))])
        ends = np.stack([size / 2 - 0.4 * size * heading, size / 2 + 0.4 * size * heading])
        strokes = strokebot.trace(render_strokes([ends], (size, size), pen), polarity="light-on-dark").strokes
        assert len(strokes) == 1
        path = strokes[0].points[:, :2]
        off = np.abs((path - ends[0]) @ np.array([-heading[1], heading[0]]))
        assert off.max() < 0.08 * pen, degrees
        along = arc_lengths(path)
        at = np.arange(0.0, along[-1], pen)
        read = np.stack([np.interp(at, along, path[:, 0]), np.interp(at, along, path[:, 1])], axis=1)
        heads = np.arctan2(*np.diff(read, axis=0)[:, ::-1].T)
        assert np.degrees(np.abs((np.diff(heads) + np.pi) % (2 * np.pi) - np.pi).sum()) < 45, degrees


def test_staying_down_may_go_back_down_a_stem_but_not_along_a_long_way():
    # ] : a stem of 80 px with a 20-px tick at each end, above a rule 200 px long (a line of writing:
    # a way may be at most half the drawing's longer side).
    ink, _ = glyph([[(40, 20), (60, 20), (60, 100), (40, 100)], [(10, 115), (210, 115)]], size=(220, 130))
    graph = stroke_graph(ink)
    top, stem, bottom, rule = sorted(assemble(graph, {}), key=lambda s: float(s.points[:, 1].mean()))
    assert stem.length > 70 and top.length < 25 and bottom.length < 25

    def towards(stroke: ParsedStroke, x: float, y: float) -> ParsedStroke:
        """``stroke`` drawn so that it ends nearer (x, y)."""
        ends = np.hypot(*(stroke.points[[0, -1]] - (x, y)).T)
        return stroke if ends[1] <= ends[0] else stroke.reversed()

    up = towards(stem, 60, 20)
    # Up the stem, then back down it to draw the bottom tick: the way (the stem) is as long as the
    # longer stroke, as a joined-up hand goes back down the stem of a t.
    bottom_out = towards(bottom, 40, 100)
    assert [i for i, _ in stay_down_candidates(graph, [up, bottom_out, rule])] == [0]
    # From the top tick to the bottom one the way is the whole stem, five times the longer stroke.
    top_in = towards(top, 60, 20)
    assert stay_down_candidates(graph, [top_in, bottom_out, rule]) == []


@pytest.mark.parametrize(("arm", "offered"), [(30, True), (70, False)])
def test_a_dead_end_is_drawn_out_and_back_only_as_far_as_a_pen_goes_back(arm, offered):
    # A stem 100 px tall with an arm from its middle: a short arm may be drawn out and back from the
    # stem, one longer than half the glyph would be drawn twice (STAY_CAP), as a stay-down way is not.
    ink, _ = glyph([[(40, 10), (40, 110)], [(40, 60), (40 + arm, 60)]], size=(140, 120))
    graph = stroke_graph(ink)
    strokes = assemble(graph, straight_pairs(graph))
    assert len(strokes) == 2
    dead_end = int(np.argmin([np.ptp(s.points[:, 1]) for s in strokes]))  # the arm: flat
    assert (strokes[dead_end].length <= STAY_CAP * 100) == offered
    assert [x.dead_end for x in excursion_candidates(graph, strokes)] == ([dead_end] if offered else [])


def test_a_us_bowl_is_not_drawn_out_and_back_from_its_stem():
    # A u: the bowl from the top left round to the stem, the stem from its top to below the bowl.
    # Through the junction the stem goes straight; the bowl is a dead end longer than the glyph.
    t = np.linspace(0, np.pi, 40)
    bowl = np.vstack([np.linspace([30, 20], [30, 70], 12), np.stack([55 - 25 * np.cos(t), 70 + 25 * np.sin(t)], axis=1)])
    ink, _ = glyph([bowl, [(80, 20), (80, 105)]], size=(110, 120))
    graph = stroke_graph(ink)
    strokes = assemble(graph, straight_pairs(graph))
    bowl_stroke = max(strokes, key=lambda s: s.length)
    assert bowl_stroke.length > 90
    assert excursion_candidates(graph, strokes) == []


def test_a_loop_the_pen_stays_down_out_of_is_drawn_from_where_it_meets_the_glyph():
    # A 9: the order starts a loop at its top, but the pen can only go on from the loop into the
    # tail where the two meet. Joined as the order left it, the pen ran straight across the bowl.
    t = np.linspace(0, 2 * np.pi, 120)
    bowl = np.stack([60 + 30 * np.sin(t), 50 + 30 * np.cos(t)], axis=1)  # from its bottom, (60, 80)
    ink, _ = glyph([bowl, [(60, 80), (60, 115)]], size=(120, 125))
    graph = stroke_graph(ink)
    strokes = assemble(graph, pair_ends(graph, lambda g, n, a, b: float(a.branch == b.branch)))
    loop, tail = sorted(strokes, key=lambda s: not s.closed)
    assert loop.closed and not tail.closed
    loop = _loop_start(loop)  # as the order draws it: from its top
    tail = tail if tail.points[0, 1] < tail.points[-1, 1] else tail.reversed()
    joins = stay_down_candidates(graph, [loop, tail])
    assert [i for i, _ in joins] == [0]
    (joined,) = stay_down(graph, [loop, tail], joins)
    assert np.hypot(*np.diff(joined.points, axis=0).T).max() < 6.0  # no jump: along the ink
    assert abs(joined.points[0, 1] - 80) < 6.0 and joined.points[-1, 1] > 110  # round the bowl, down the tail


def _line(points, radius=3.0, steps=60):
    """A parsed stroke along the polyline ``points``, a point about every pixel."""
    from strokebot.model.parse import ParsedStroke

    corners = np.asarray(points, float)
    along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(corners, axis=0).T))])
    marks = np.linspace(0.0, along[-1], max(steps, int(along[-1]) + 1))
    line = np.stack([np.interp(marks, along, corners[:, k]) for k in range(2)], axis=1)
    return ParsedStroke(line, np.full(len(line), radius), [0])


def test_sequencer_features_count_crossings_away_from_ends_and_what_lies_inside_a_box():
    from strokebot.model.order import STROKE_FEATURES, Candidates, candidate_features

    column = {name: k for k, name in enumerate(STROKE_FEATURES)}
    strokes = [
        _line([(10, 50), (90, 50)]),  # 0: a bar, crossed in its middle by 1
        _line([(50, 10), (50, 90)]),  # 1: an upright through it
        _line([(20, 60), (20, 95)]),  # 2: hangs from the bar, meeting it at its own end: no crossing
        _line([(120, 90), (120, 10), (180, 10), (180, 90)]),  # 3: an arch
        _line([(135, 30), (165, 45), (135, 60), (165, 75)]),  # 4: a zigzag inside it
    ]
    features = candidate_features(Candidates.of(strokes), np.arange(5), None, None)
    per_stroke = features[::2]  # as parsed; the reversed rows have the same counts
    counts = [column[name] for name in ("boxes_inside", "inside_boxes", "crossings")]
    np.testing.assert_array_equal(features[::2, counts], features[1::2, counts])
    assert per_stroke[:, column["crossings"]].tolist() == [0.25, 0.25, 0.0, 0.0, 0.0]
    assert per_stroke[:, column["boxes_inside"]].tolist() == [0.0, 0.0, 0.0, 0.25, 0.0]  # the arch holds the zigzag
    assert per_stroke[:, column["inside_boxes"]].tolist() == [0.0, 0.0, 0.0, 0.0, 0.25]
    # Drawn strokes no longer count: with the arch drawn, the zigzag lies in no box left.
    later = candidate_features(Candidates.of(strokes), np.array([0, 1, 2, 4]), 3, strokes[3].points[-1])
    assert later[6, column["inside_boxes"]] == 0.0


def test_sequencer_features_say_which_strokes_hang_from_others_and_which_start_on_drawn_ink():
    from strokebot.model.order import STROKE_FEATURES, Candidates, candidate_features

    column = {name: k for k, name in enumerate(STROKE_FEATURES)}
    strokes = [
        _line([(10, 20), (90, 20)]),  # 0: a bar
        _line([(50, 20), (50, 90)]),  # 1: a stem hanging from its middle (a T)
        _line([(10, 20), (10, 90)]),  # 2: an upright meeting the bar at the bar's end: a corner, not hanging
        _line([(50, 90), (90, 90)]),  # 3: a foot from the stem's end: a corner too
    ]
    candidates = Candidates.of(strokes)
    first = candidate_features(candidates, np.arange(4), None, None)
    assert first[::2, column["rests_on"]].tolist() == [0.0, 0.25, 0.0, 0.0]
    assert first[::2, column["rested_on"]].tolist() == [0.25, 0.0, 0.0, 0.0]
    assert not first[:, [column["starts_on_drawn"], column["ends_on_drawn"]]].any()  # nothing drawn yet
    # The bar drawn: the stem as parsed starts on it (downwards), reversed it ends on it; the foot
    # touches only the stem, not drawn yet; and the stem hangs from no stroke left.
    later = candidate_features(candidates, np.array([1, 2, 3]), 0, strokes[0].points[-1])
    assert later[:, column["starts_on_drawn"]].tolist() == [1.0, 0.0, 1.0, 0.0, 0.0, 0.0]
    assert later[:, column["ends_on_drawn"]].tolist() == [0.0, 1.0, 0.0, 1.0, 0.0, 0.0]
    assert later[0, column["rests_on"]] == 0.0
    assert first[0, column["aspect"]] == pytest.approx(80 / (80 + 70), abs=0.01)  # 10..90 across, 20..90 down
    word = Candidates.of([_line([(0, 0), (300, 0), (300, 60)])])
    assert candidate_features(word, np.arange(1), None, None)[0, column["aspect"]] == pytest.approx(300 / 360, abs=0.01)


def _quick_l():
    """An L drawn as a quick hand does: down the stem, on 8 px past the corner and back, along the
    foot. Its graph: the stem, the foot, and the short stub below the corner. Returns the graph and
    the two strokes the pen lifts between: the stem with the stub (top to the stub's tip), the foot."""
    ink, _ = glyph([[(40, 20), (40, 100)], [(40, 92), (110, 92)]], size=(130, 120))
    graph = stroke_graph(ink)
    (stub,) = [k for k, b in enumerate(graph.branches) if b.length < 10]
    (stem,) = [k for k, b in enumerate(graph.branches) if abs(b.points[0, 0] - b.points[-1, 0]) < 3 and k != stub]
    down, foot = sorted(assemble(graph, pair_ends(graph, lambda g, n, a, b: float({a.branch, b.branch} == {stem, stub}))), key=lambda s: -np.ptp(s.points[:, 1]))
    down = down if down.points[0, 1] < down.points[-1, 1] else down.reversed()
    foot = foot if foot.points[0, 0] < foot.points[-1, 0] else foot.reversed()
    return graph, down, foot


def test_a_blob_at_a_corner_is_cut_across_and_a_long_way_is_drawn_twice():
    from strokebot.model.parse import cut_back_way, graph_path

    graph, down, foot = _quick_l()
    assert down.points[-1, 1] > 96 and foot.points[0, 1] < 95  # the stem ends at the stub's tip
    (way,) = [w for _, w in stay_down_candidates(graph, [down, foot])]
    head, tail, rest = cut_back_way(graph, down, foot, way[1])
    assert head and not tail and rest == []  # back up the stub: cut across, nothing drawn twice
    (joined,) = stay_down(graph, [down, foot], [(0, way)])
    assert joined.points[:, 1].max() < 96  # the pen turns at the corner: no hook out and back
    # Up the stem instead, then the foot: the way back down is the whole stem, drawn twice.
    up = down.reversed()
    way = graph_path(graph, up.nodes[-1], foot.nodes[0])
    head, tail, rest = cut_back_way(graph, up, foot, way[1])
    assert not head and not tail and len(rest) == 1


class _SureBy:
    """Stroke nets whose stay net gives every join the same ``chance``."""

    def __init__(self, chance: float) -> None:
        self.stay = object()
        self.chance = chance

    def stay_probability(self, features: np.ndarray) -> np.ndarray:
        return np.full(len(features), self.chance, np.float32)


def test_a_join_that_draws_nothing_twice_needs_only_even_odds():
    from strokebot.model.parse import graph_path
    from strokebot.model.strokes import MEET_CONFIDENCE, STAY_CONFIDENCE, keep_down, stay_confidence

    graph, down, foot = _quick_l()
    # Down the stem and along the foot: the stub between them is cut across, so a chance between
    # one half and STAY_CONFIDENCE keeps the pen down, and one below one half lifts it.
    assert stay_confidence(graph, down, foot, graph_path(graph, down.nodes[-1], foot.nodes[0])) == MEET_CONFIDENCE
    assert len(keep_down(graph, [down, foot], _SureBy(0.6))) == 1
    assert len(keep_down(graph, [down, foot], _SureBy(0.45))) == 2
    # Up the stem, then the foot: the way back down the stem draws it twice; the net must be sure.
    up = down.reversed()
    assert stay_confidence(graph, up, foot, graph_path(graph, up.nodes[-1], foot.nodes[0])) == STAY_CONFIDENCE
