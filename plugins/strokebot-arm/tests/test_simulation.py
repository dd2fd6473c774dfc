"""Replaying plans in MuJoCo: the ink against the strokes, with the servos' dynamics."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import strokebot_arm
from arm_drawings import hershey_drawing


@pytest.fixture(scope="module")
def replayed():
    return strokebot_arm.plan(hershey_drawing("Arm"), "ur5e-table").simulate()


def test_the_ink_follows_the_strokes(replayed):
    assert replayed.max_error <= 0.5 and replayed.rms_error <= 0.1, replayed.line()
    assert len(replayed.missed) == 0 and replayed.passed
    assert (replayed.speed_share() <= 1.0).all()
    # the pen touched the paper for about as long as planned: pressed, it also touches on the way down and up
    assert replayed.trajectory.pen_down_time <= replayed.pen_down_time <= replayed.trajectory.pen_down_time + 1.0
    # the pen lifted between strokes: the ink falls into as many lines as there are strokes
    from strokebot_arm.simulation import ink_lines

    assert len(ink_lines(replayed.ink, replayed.ink_time)) == len(replayed.trajectory.strokes)
    assert replayed.force.max() < 5.0  # the spring, not the arm, presses the pen


def test_the_figures_can_fail(replayed):
    # the same plan with joint 1 a thousandth of a radian off: 0.4 mm sideways at the paper
    plan = replayed.trajectory
    shifted = dataclasses.replace(plan, q=plan.q + np.array([1e-3, 0, 0, 0, 0, 0]))
    result = shifted.simulate(tolerance=0.2)
    assert result.max_error > 0.2 and not result.passed
    assert "tracking error max" in result.line()
    # and a stroke the pen never drew is missed ink
    strokes = [*plan.strokes, np.array([[200.0, 0.0], [210.0, 0.0]])]
    missing = dataclasses.replace(plan, strokes=strokes).simulate()
    assert missing.max_error >= 10.0 and len(missing.missed) > 0


def test_a_pen_lifter_on_a_digital_output(square):
    plan = strokebot_arm.plan(square, "ur5e-table-lifter")
    events = plan.pen_events()
    assert [e.down for e in events] == [True, False] * 3
    result = plan.simulate()
    assert result.max_error <= 0.5, result.line()
    from strokebot_arm.simulation import ink_lines

    assert len(ink_lines(result.ink, result.ink_time)) == 3  # two lines and a dot, lifted in between


def test_as_dict_is_json(replayed):
    import json

    figures = json.loads(json.dumps(replayed.as_dict()))
    assert figures["passed"] is True and figures["tracking_error_mm"]["max"] <= 0.5
    assert set(figures["joint_speed_share"]) == set(replayed.trajectory.joint_names)


def test_preview_picture(replayed, tmp_path):
    from PIL import Image

    data, missing = replayed.preview(tmp_path / "sim.png")
    image = Image.open(tmp_path / "sim.png")
    assert image.tobytes() == Image.open(__import__("io").BytesIO(data)).tobytes()
    if missing is None:  # left: the page; right: the arm's render, 600 px square
        assert image.width > 1100 and image.height >= 600
        right = np.asarray(image.convert("RGB"))[: 600, -600:]
        assert right.std() > 20  # a picture, not a blank
    else:
        assert "libegl1" in missing and "libosmesa6" in missing
