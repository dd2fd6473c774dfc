"""strokebot.motion: the one planner behind timed exports (trapezoids, corner-limited junctions)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from strokebot import motion
from strokebot.drawing import Drawing, Stroke
from strokebot.errors import UsageError
from strokebot.motion import Timing, junction_speeds, plan, segment_times, waypoints


def drawing(*strokes, units="mm") -> Drawing:
    return Drawing([Stroke(s) for s in strokes], width=100, height=100, units=units)


def reference_segment_time(length, v0, v1, v_max, a_max, steps=20000):
    """Slow reference: walk the segment in small distance steps, as fast as the limits allow."""
    ds = length / steps
    t, v = 0.0, v0
    for i in range(steps):
        remaining = length - (i + 1) * ds
        # the fastest speed at the end of this step: accelerate, cap at v_max, and keep able to brake to v1
        target = min(math.sqrt(v * v + 2 * a_max * ds), v_max, math.sqrt(v1 * v1 + 2 * a_max * remaining))
        t += 2 * ds / (v + target) if v + target > 0 else 0.0
        v = target
    return t


def check_limits(xy, t, v, timing, tolerance=1e-6):
    """Every segment's timing is reachable with a_max and never needs more than v_max."""
    lengths = np.hypot(*np.diff(xy, axis=0).T)
    dt = np.diff(t)
    assert (dt >= -1e-12).all(), "time must not go backwards"
    assert (v <= timing.v_max * (1 + tolerance)).all()
    assert v[0] == 0 and v[-1] == 0, "a stroke starts and ends at rest"
    assert (np.abs(v[1:] ** 2 - v[:-1] ** 2) <= 2 * timing.a_max * lengths * (1 + tolerance) + 1e-9).all()
    moving = lengths > 1e-9  # closer points are one point to the planner
    # Times are running sums, so a segment's duration read back as their difference is off by their
    # rounding (one float64 step of the running time per point): 5e-10 s of a 1e-8 mm segment at
    # t = 8 s is 3e-6 off, relatively.
    rounding = len(t) * np.finfo(np.float64).eps * np.abs(t[1:])
    assert (lengths[moving] <= timing.v_max * (1 + tolerance) * (dt[moving] + rounding[moving])).all()


# -- Timing ----------------------------------------------------------------------------------------


def test_timing_defaults_and_overrides():
    timing = Timing.of(None, v_max=20)
    assert timing.v_max == 20 and timing.a_max == Timing().a_max
    assert Timing.of(timing, a_max=5).v_max == 20


def test_timing_unknown_field_lists_fields():
    with pytest.raises(UsageError, match="known: v_max, a_max"):
        Timing.of(None, speed=3)


@pytest.mark.parametrize("field, value", [("v_max", 0), ("a_max", -1), ("v_travel", float("nan")), ("dwell_up", -0.1),
                                          ("junction_deviation", -1), ("v_max", "fast")])
def test_timing_rejects_bad_values(field, value):
    with pytest.raises(UsageError, match=field):
        Timing(**{field: value})


# -- one segment -----------------------------------------------------------------------------------


def test_segment_time_trapezoid_and_triangle():
    # 10 units at top speed 10, a 100: 0.1 s up (0.5 units), 0.9 s cruise, 0.1 s down
    assert segment_times([10.0], [0.0], [0.0], 10.0, 100.0)[0] == pytest.approx(1.1)
    # 1 unit is too short to reach 10: a triangle, peak sqrt(a·L) = 10 exactly at the middle
    assert segment_times([1.0], [0.0], [0.0], 10.0, 100.0)[0] == pytest.approx(0.2)
    assert segment_times([0.5], [0.0], [0.0], 100.0, 100.0)[0] == pytest.approx(2 * math.sqrt(2 * 0.25 / 100))


@pytest.mark.parametrize("length, v0, v1", [(10, 0, 0), (1, 0, 0), (3, 5, 2), (0.5, 6, 4), (50, 10, 10), (2, 0, 9)])
def test_segment_time_matches_slow_reference(length, v0, v1):
    v_max, a_max = 10.0, 30.0
    if abs(v1**2 - v0**2) > 2 * a_max * length:
        pytest.skip("not reachable")
    fast = segment_times([length], [v0], [v1], v_max, a_max)[0]
    assert fast == pytest.approx(reference_segment_time(length, v0, v1, v_max, a_max), rel=1e-3)


# -- junctions -------------------------------------------------------------------------------------


def test_straight_line_is_not_slowed_at_its_points():
    timing = Timing(v_max=10, a_max=1000, junction_deviation=0.01)
    speed = junction_speeds([[0, 0], [10, 0], [20, 0], [30, 0]], timing)
    assert speed.tolist() == [0.0, 10.0, 10.0, 0.0]


def test_right_angle_follows_the_junction_deviation_formula():
    timing = Timing(v_max=1000, a_max=100, junction_deviation=0.05)
    speed = junction_speeds([[0, 0], [100, 0], [100, 100]], timing)
    sin_half = math.sin(math.radians(90) / 2)
    assert speed[1] == pytest.approx(math.sqrt(100 * 0.05 * sin_half / (1 - sin_half)))


def test_reversal_stops_and_sharper_corners_are_slower():
    timing = Timing(v_max=1000, a_max=100, junction_deviation=0.05)
    assert junction_speeds([[0, 0], [10, 0], [0, 0]], timing)[1] == 0.0
    corners = [junction_speeds([[0, 0], [10, 0], [10 + 10 * math.cos(a), 10 * math.sin(a)]], timing)[1]
               for a in np.radians([10, 45, 90, 135, 170])]
    assert corners == sorted(corners, reverse=True)


def test_no_deviation_stops_at_every_corner():
    timing = Timing(junction_deviation=0)
    assert junction_speeds([[0, 0], [10, 0], [10, 10]], timing)[1] == 0.0


# -- machines with limits per axis -----------------------------------------------------------------


def test_a_chain_on_an_even_machine_takes_what_plan_gives_a_stroke():
    """The G-code estimate's planner and the drawings' planner agree where the limits are the same."""
    rng = np.random.default_rng(3)
    xy = np.cumsum(rng.uniform(-5, 5, (40, 2)), axis=0)
    timing = Timing(v_max=30, a_max=200, junction_deviation=0.02, dwell_down=0, dwell_up=0)
    machine = motion.Machine(max_rate=(30, 30, 1), acceleration=(200, 200, 1), junction_deviation=0.02, toolhead=True)
    points = np.column_stack([xy, np.zeros(len(xy))])
    expected = plan(drawing(xy), timing).duration
    assert motion.chain_duration(points, np.full(len(xy) - 1, np.inf), machine) == pytest.approx(expected, rel=1e-9)
    assert motion.chain_duration(points, np.full(len(xy) - 1, 10.0), machine) > expected  # a feed below the machine's


def test_each_axis_keeps_its_own_limits():
    """GRBL and Marlin limit each axis: a diagonal runs faster than either axis alone; Klipper's toolhead does not."""
    grbl = motion.Machine(max_rate=(10, 10, 1), acceleration=(1e6, 1e6, 1e6))
    klipper = motion.Machine(max_rate=(10, 10, 1), acceleration=(1e6, 1e6, 1e6), toolhead=True)
    diagonal = [[0, 0, 0], [100, 100, 0]]
    assert motion.chain_duration(diagonal, [np.inf], grbl) == pytest.approx(10.0, rel=1e-3)  # 141 mm at 14.1
    assert motion.chain_duration(diagonal, [np.inf], klipper) == pytest.approx(14.14, rel=1e-3)
    assert motion.chain_duration([[0, 0, 0], [0, 0, 5]], [np.inf], klipper) == pytest.approx(5.0, rel=1e-3)  # Z: its own
    assert motion.chain_duration([[0, 0, 0], [0, 0, 0], [5, 0, 0]], [np.inf, 2.0], grbl) == pytest.approx(2.5, rel=1e-3)
    assert motion.chain_duration([[1, 2, 3]], [], grbl) == 0.0


def test_a_stop_splits_a_chain_into_two_from_rest_to_rest():
    machine = motion.Machine(max_rate=(10, 10, 10), acceleration=(50, 50, 50))
    line = [[0, 0, 0], [10, 0, 0], [10, 0, 0], [20, 0, 0]]  # a repeated point, where the stop is said
    one = motion.chain_duration(line[:2], [np.inf], machine)
    assert motion.chain_duration(line, [np.inf] * 3, machine) < 2 * one
    assert motion.chain_duration(line, [np.inf] * 3, machine, stops=[0, 0, 1, 0]) == pytest.approx(2 * one)
    assert motion.chain_duration(line, [np.inf] * 3, machine, stops=[0, 1, 0, 0]) == pytest.approx(2 * one)


@pytest.mark.parametrize("field, value", [("max_rate", (1, 0, 1)), ("acceleration", (1, 1)), ("max_rate", (1, "a", 1)),
                                          ("junction_deviation", -1)])
def test_machine_rejects_bad_limits(field, value):
    limits = {"max_rate": (1, 1, 1), "acceleration": (1, 1, 1), field: value}
    with pytest.raises(UsageError, match=field):
        motion.Machine(**limits)


# -- plans and waypoints ---------------------------------------------------------------------------


def test_plan_times_strokes_travel_and_dwell():
    timing = Timing(v_max=10, a_max=100, v_travel=10, dwell_down=0.2, dwell_up=0.3)
    timed = plan(drawing([[0, 0], [10, 0]], [[10, 5], [0, 5]]), timing)
    assert timed.arrive[0] == 0.0
    assert timed.t[0][0] == pytest.approx(0.2)
    assert timed.t[0][-1] == pytest.approx(0.2 + 1.1)
    assert timed.lifted[0] == pytest.approx(1.6)
    assert timed.arrive[1] == pytest.approx(1.6 + 0.6)  # 5 units pen-up: 0.1 + 0.3 + 0.1 s
    assert timed.duration == pytest.approx(2.2 + 0.2 + 1.1 + 0.3)
    assert timed.drawing_time == pytest.approx(2.2)


def test_waypoints_include_pen_up_ends_and_every_point():
    d = drawing([[0, 0, 0.2, 1], [10, 0, 0.4, 0.5], [10, 10, 0.6, 0.3]], [[20, 20]])
    points = list(waypoints(d, Timing()))
    assert len(points) == (3 + 2) + (1 + 2)
    assert [w.pen_down for w in points[:5]] == [False, True, True, True, False]
    assert [(w.stroke, w.index) for w in points[:5]] == [(0, 0), (0, 0), (0, 1), (0, 2), (0, 2)]
    assert points[2].pressure == 0.4 and points[2].intensity == 0.5
    assert points[0].pressure == 0.0 and points[0].v == 0.0
    times = [w.t for w in points]
    assert times == sorted(times)


def test_drawing_waypoints_takes_timing_fields_as_keywords():
    d = drawing([[0, 0], [100, 0]])
    slow = list(d.waypoints(v_max=10))
    fast = list(d.waypoints(Timing(v_max=40)))
    assert slow[-1].t > fast[-1].t
    with pytest.raises(UsageError):
        list(d.waypoints(speed=1))


def test_repeated_points_and_single_point_strokes():
    d = drawing([[0, 0], [0, 0], [10, 0], [10, 0], [10, 10]], [[30, 30]])
    timed = plan(d, Timing())
    assert timed.t[0][1] == timed.t[0][0] and timed.t[0][3] == timed.t[0][2]
    assert np.isfinite(timed.t[0]).all()
    assert timed.t[1].tolist() == [timed.arrive[1] + Timing().dwell_down]


def test_empty_drawing():
    d = Drawing([], width=10, height=10)
    assert list(waypoints(d)) == [] and plan(d).duration == 0.0


def test_plan_uses_drawing_units_as_given():
    mm = drawing([[0, 0], [50, 0]])
    px = drawing([[0, 0], [50, 0]], units="px")
    assert plan(mm).duration == plan(px).duration  # same numbers, same time: units are the caller's


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(-50, 50), st.floats(-50, 50)), min_size=2, max_size=25),
       st.floats(1, 200), st.floats(10, 5000), st.floats(0, 0.5))
@example([(0, 0), (0, 33), (0, -42), (1e-8, 0), (0, 0), (0, 1)], 19.0, 300.0, 0.5)  # a 1e-8 mm step late in a stroke
def test_limits_hold_for_any_polyline(points, v_max, a_max, deviation):
    timing = Timing(v_max=v_max, a_max=a_max, junction_deviation=deviation, dwell_down=0, dwell_up=0)
    stroke = Stroke(points)
    timed = plan(Drawing([stroke], width=100, height=100, units="mm"), timing)
    check_limits(stroke.xy, timed.t[0], timed.v[0], timing)


def test_module_exports():
    assert {"Timing", "Waypoint", "plan", "waypoints"} <= set(motion.__all__)
