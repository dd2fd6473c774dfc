"""Planning: inverse kinematics along the whole drawing on one branch, retimed within the limits, and the
errors for drawings the arm cannot draw."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import strokebot_arm
from arm_drawings import hershey_drawing
from strokebot_arm.robots import get_robot

from strokebot.drawing import Drawing, Stroke
from strokebot.errors import DrawingError, UsageError


@pytest.fixture(scope="module")
def planned():
    return strokebot_arm.plan(hershey_drawing("Arm"), "ur5e-table")


def test_joint_speeds_and_accelerations_stay_within_the_limits(planned):
    assert (planned.speed_share() <= 1.0 + 1e-6).all()
    assert (planned.acceleration_share() <= 1.0 + 1e-6).all()
    # and the samples agree with each other: velocities are the positions' rate of change
    rate = np.diff(planned.q, axis=0) / np.diff(planned.t)[:, None]
    middle = 0.5 * (planned.qd[1:] + planned.qd[:-1])
    assert np.abs(rate - middle).max() < 0.02


def test_the_pen_follows_the_strokes_at_the_planned_speed(planned):
    robot = planned.robot
    tip = planned.tip()
    for start, piece in zip(planned.starts, planned.pieces, strict=True):
        if piece.kind != "draw":
            continue
        inside = (planned.t >= start) & (planned.t <= start + piece.t[-1])
        points = tip[inside]
        # on the paper, pressed in by `press`, within 0.02 mm of the stroke's line
        height = (points - robot.origin) @ robot.normal
        assert height == pytest.approx(-robot.press, abs=2e-5)
        segment = piece.tip[[0, -1]] if len(piece.corners) == 2 else None
        if segment is not None:
            a, b = segment
            u = np.clip((points - a) @ (b - a) / ((b - a) @ (b - a)), 0, 1)
            assert np.linalg.norm(points - (a + u[:, None] * (b - a)), axis=1).max() < 2e-5
        speed = np.linalg.norm(np.diff(points, axis=0), axis=1) / planned.dt
        assert speed.max() <= robot.speed * 1.02


def test_one_branch_without_jumps_from_home_and_back(planned):
    assert np.abs(np.diff(planned.q, axis=0)).max() < 0.05  # 8 ms apart: no flip anywhere
    assert planned.q[0] == pytest.approx(planned.robot.home) and planned.q[-1] == pytest.approx(planned.robot.home)
    assert np.sign(planned.q[:, 4]).min() == np.sign(planned.q[:, 4]).max()  # the wrist never flips
    assert (np.diff(planned.t) > 0).all() and (np.diff(planned.t) <= 1.25 * planned.dt + 1e-9).all()
    assert str(planned.branch) in planned.summary()


def test_a_slower_pen_takes_longer():
    drawing = Drawing([Stroke([[0, 0], [40, 0]])], width=40, height=10, units="mm")
    fast = strokebot_arm.plan(drawing, speed=50)
    slow = strokebot_arm.plan(drawing, speed=10)
    assert slow.pen_down_time == pytest.approx(fast.pen_down_time * 5, rel=0.1)
    assert slow.pen_down_time == pytest.approx(40 / 10 + 10 / 500, rel=0.05)  # 4 s cruising, ramps at 0.5 m/s²


def _easel(**changes):
    """An upright easel in front of the arm, the pen horizontal (a lifter, so the arm stays at the paper)."""
    easel = dataclasses.replace(get_robot("ur5e-table-lifter"), normal=np.array([-1.0, 0, 0]), x_axis=np.array([0, 1.0, 0]),
                                origin=np.array([0.5, 0.0, 0.45]), pen_up=0.0)
    return dataclasses.replace(easel, **changes)


@pytest.mark.parametrize("drawing, robot, error, message", [
    # a page 2 m wide: its corners are out of the arm's reach
    (Drawing([Stroke([[0, 0], [2000, 0]])], width=2000, height=10, units="mm"), "ur5e-table", DrawingError,
     "ur5e-table cannot draw stroke 1, point 1, reaching it with the pen up (x -1000.0 mm, y -5.0 mm from the page centre): "
     "out of the arm's reach (by 354 mm)"),
    # a line running off the arm's reach: stopped where it leaves it
    (Drawing([Stroke([[1190, 5], [1200, 5]]), Stroke([[1210, 5], [2400, 5]])], width=2400, height=10, units="mm"), "ur5e-table",
     DrawingError, "cannot draw stroke 2, between points 1 and 2 (x 8"),
    # the table 1.5 m below the arm's base
    (Drawing([Stroke([[0, 0], [10, 0]])], width=10, height=10, units="mm"),
     dataclasses.replace(get_robot("ur5e-table"), origin=np.array([0.0, -0.4, -1.5])), UsageError,
     "the pen cannot touch the drawing plane at its origin (0.000, -0.400, -1.500 m)"),
    # a shelf above the arm, the paper on its top: the pen would have to reach through it
    (Drawing([Stroke([[0, 0], [10, 0]])], width=10, height=10, units="mm"),
     dataclasses.replace(get_robot("ur5e-table"), origin=np.array([0.0, -0.4, 0.6])), UsageError,
     "the drawing plane faces away from the arm (its shoulder is 438 mm behind the paper)"),
    # an easel where the pen lines up the first and last wrist axes
    (Drawing([Stroke([[0, 0], [10, 0]])], width=20, height=20, units="mm"), _easel(origin=np.array([0.3822, 0.0, 0.45])),
     DrawingError, "cannot draw stroke 1, point 1, reaching it with the pen up (x -10.0 mm, y -10.0 mm from the page centre): a wrist singularity "
                   "(joint 5 at 1.5 degrees: the first and last wrist axes line up)"),
])
def test_drawings_the_arm_cannot_draw(drawing, robot, error, message):
    with pytest.raises(error) as raised:
        strokebot_arm.plan(drawing, robot)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_a_drawing_on_an_easel_away_from_the_singularity_plans():
    # (home is for the table: the joint moves to the easel and back are not checked here)
    plan = strokebot_arm.plan(Drawing([Stroke([[0, 0], [10, 0]])], width=20, height=20, units="mm"), _easel(), collisions=False)
    assert np.degrees(np.abs(plan.q[:, 4])).min() > 10


def test_the_arm_may_not_touch_the_table():
    # a pen so short that the wrist comes down onto the table
    robot = dataclasses.replace(get_robot("ur5e-table"), pen_length=0.02)
    with pytest.raises(DrawingError, match=r"cannot draw stroke 1, point 1 .*: the arm's wrist 3 column would touch the (floor|board)"):
        strokebot_arm.plan(Drawing([Stroke([[0, 0], [20, 0]])], width=20, height=20, units="mm"), robot)


def test_inputs_svg_json_and_bad_options(tmp_path, square):
    square.to_json(tmp_path / "square.json")
    square.to_svg(tmp_path / "square.svg")
    from_json = strokebot_arm.plan(tmp_path / "square.json")
    from_svg = strokebot_arm.plan(tmp_path / "square.svg")
    assert len(from_json.strokes) == len(from_svg.strokes) == 3
    for a, b in zip(from_json.strokes, from_svg.strokes, strict=True):
        assert np.abs(a - b).max() < 0.01
    with pytest.raises(UsageError, match="pen speed must be a positive number"):
        strokebot_arm.plan(square, speed=-5)
    with pytest.raises(DrawingError, match="no such file"):
        strokebot_arm.plan(tmp_path / "missing.svg")
    (tmp_path / "bad.svg").write_text("<svg><path d='M 0 0 L")
    with pytest.raises(DrawingError):
        strokebot_arm.plan(tmp_path / "bad.svg")
