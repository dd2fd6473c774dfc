"""The urscript and joint-trajectory formats: registered like strokebot's own, read back and checked."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import strokebot_arm
from arm_drawings import hershey_drawing
from click.testing import CliRunner
from strokebot_arm.robots import get_robot
from strokebot_arm.trajectory import UNITS, read_joint_trajectory
from urscript_reader import Pose, parse

from strokebot.cli import cli
from strokebot.exporters import available, export

URSCRIPT_CALLS = {"set_tcp", "movej", "movel", "set_standard_digital_out", "sleep"}


@pytest.fixture(scope="module")
def planned():
    return strokebot_arm.plan(hershey_drawing("Arm"), "ur5e-table")


def test_registered_like_built_in_formats():
    infos = {i.name: i for i in available()}
    for name, suffix in (("urscript", ".script"), ("joint-trajectory", ".joints.json")):
        assert infos[name].error is None and infos[name].suffix == suffix
        assert infos[name].distribution == "strokebot-arm"


def test_urscript_structure_and_units(planned):
    robot = planned.robot
    name, calls = parse(planned.to_urscript())
    assert name == "strokebot_drawing"
    assert {c.name for c in calls} <= URSCRIPT_CALLS
    assert calls[0].name == "set_tcp" and calls[0].args[0].values == pytest.approx([0, 0, robot.pen_length, 0, 0, 0])
    joints = [c for c in calls if c.name == "movej"]
    assert joints[0].args[0] == pytest.approx(robot.home.tolist(), abs=1e-6)  # home first and last
    assert joints[-1].args[0] == pytest.approx(robot.home.tolist(), abs=1e-6)
    limits = robot.arm.position_limits
    for call in joints:
        q = np.array(call.args[0])
        assert q.shape == (6,) and (np.abs(q) <= limits).all()  # radians
        assert 0 < call.kwargs["v"] <= robot.arm.speed_limits.min() and 0 < call.kwargs["a"] <= robot.arm.acceleration_limits.min()
    moves = [c for c in calls if c.name == "movel"]
    targets = np.array([c.args[0].values for c in moves])
    assert all(isinstance(c.args[0], Pose) and len(c.args[0].values) == 6 for c in moves)
    assert np.linalg.norm(targets[:, :3] - robot.origin, axis=1).max() < 0.1  # metres: a 60 mm word near the paper
    assert np.linalg.norm(targets[:, 3:], axis=1) == pytest.approx(math.pi)  # the pen straight down
    for c in moves:
        assert 0 < c.kwargs["v"] <= robot.travel_speed and 0 < c.kwargs["a"] <= robot.travel_acceleration
    # blends: never more than 45 % of either neighbouring move, so they never overlap
    previous = np.array(joints[1].args[0])  # where the first movel starts from: above the first stroke
    start = strokebot_arm.trajectory.forward(robot.arm.dh, previous[None])[0]
    points = np.vstack([start[:3, 3] + robot.pen_length * start[:3, 2], targets[:, :3]])
    lengths = np.linalg.norm(np.diff(points, axis=0), axis=1)
    radii = np.array([c.kwargs["r"] for c in moves])
    assert (radii[:-1] <= 0.45 * np.minimum(lengths[:-1], lengths[1:]) + 2e-6).all() and radii[-1] == 0  # 6 decimals
    assert (radii[:-1] + radii[1:] < lengths[1:]).all()  # the controller's rule: neighbouring blends do not overlap


def test_urscript_draws_the_strokes(planned):
    """The movel targets on the paper, read back into page millimetres, are the strokes' points in order."""
    robot = planned.robot
    _, calls = parse(planned.to_urscript())
    on_paper = []
    for call in calls:
        if call.name == "movel":
            point = np.array(call.args[0].values[:3])
            if abs((point - robot.origin) @ robot.normal + robot.press) < 1e-6:
                relative = point - robot.origin
                on_paper.append([relative @ robot.x_axis * 1000, relative @ robot.y_axis * 1000])
    on_paper = np.array(on_paper)
    drawn = np.concatenate([s for s in planned.strokes])
    assert len(on_paper) == len(drawn)
    assert np.abs(on_paper - drawn).max() < 1e-3  # written with 6 decimals of a metre


def test_urscript_with_a_pen_lifter(square):
    plan = strokebot_arm.plan(square, "ur5e-table-lifter")
    _, calls = parse(plan.to_urscript(name="lifter_test"))
    outputs = [c for c in calls if c.name == "set_standard_digital_out"]
    assert [c.args for c in outputs] == [[0.0, False]] + [[0.0, True], [0.0, False]] * 3
    for i, call in enumerate(calls):
        if call.name == "set_standard_digital_out" and i > 0 and calls[i - 1].name != "set_tcp":
            assert calls[i + 1].name == "sleep" and calls[i + 1].args == [0.15]


def test_joint_trajectory_reads_back_as_a_ros_message(planned):
    data = planned.to_json()
    document = json.loads(data)
    trajectory = document["trajectory"]
    assert set(trajectory) == {"header", "joint_names", "points"}  # trajectory_msgs/JointTrajectory, field for field
    assert trajectory["header"] == {"stamp": {"sec": 0, "nanosec": 0}, "frame_id": "base"}
    for point in trajectory["points"][:50]:
        assert set(point) == {"positions", "velocities", "accelerations", "effort", "time_from_start"}
        assert set(point["time_from_start"]) == {"sec", "nanosec"}
        assert all(isinstance(v, int) for v in point["time_from_start"].values())
    read = read_joint_trajectory(data)
    assert read["units"] == UNITS and read["trajectory"]["joint_names"] == list(planned.joint_names)
    assert read["t"] == pytest.approx(planned.t, abs=1e-9) and np.abs(read["q"] - planned.q).max() <= 5e-7
    limits = read["limits"]
    assert (np.abs(read["qd"]) <= np.array(limits["velocity"]) + 1e-6).all()
    assert (np.abs(read["qdd"]) <= np.array(limits["acceleration"]) + 1e-6).all()
    # velocities are the positions' rate of change (rad/s against s, not degrees or milliseconds)
    rate = np.diff(read["q"], axis=0) / np.diff(read["t"])[:, None]
    assert np.abs(rate - 0.5 * (read["qd"][1:] + read["qd"][:-1])).max() < 0.02
    assert read["duration"] == pytest.approx(planned.duration, abs=1e-6)
    assert [e["down"] for e in read["pen"]] == [True, False] * len(planned.strokes)


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.update(version=2), "version 2 is not supported"),
    (lambda d: d["units"].update(position="deg"), "units must be"),
    (lambda d: d["trajectory"]["points"][3]["positions"].pop(), "every point needs 6 positions"),
    (lambda d: d["trajectory"]["points"][3].update(time_from_start={"sec": 0, "nanosec": 0}), "must start at or after 0 and increase"),
    (lambda d: d["trajectory"].pop("points"), "malformed"),
])
def test_joint_trajectory_reader_refuses_damage(planned, mutate, message):
    from strokebot.errors import DrawingError

    document = json.loads(planned.to_json())
    mutate(document)
    with pytest.raises(DrawingError, match=message):
        read_joint_trajectory(json.dumps(document).encode())


def test_trace_to_robot_formats_through_strokebot(tmp_path, draw_word):
    result = CliRunner().invoke(cli, ["trace", str(draw_word), "--to", "urscript", "--to", "joint-trajectory",
                                      "--width", "60mm", "-O", "robot=ur5e-table", "-O", "urscript.name=word"])
    assert result.exit_code == 0, result.output
    name, calls = parse(draw_word.with_suffix(".script").read_text())
    assert name == "word" and sum(c.name == "movel" for c in calls) > 10
    read = read_joint_trajectory(draw_word.with_name("word.joints.json"))
    assert read["robot"]["name"] == "ur5e-table"


def test_a_drawing_the_arm_cannot_draw_writes_nothing(tmp_path, draw_word):
    before = sorted(p.name for p in tmp_path.iterdir())
    result = CliRunner().invoke(cli, ["trace", str(draw_word), "--to", "urscript", "--width", "3m"])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"strokebot: error: {draw_word}: ur5e-table cannot draw stroke ")
    assert "the arm's reach" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_unknown_robot_and_bad_options(square):
    from strokebot.errors import UsageError

    with pytest.raises(UsageError, match="unknown robot 'nope'"):
        export(square, "urscript", robot="nope")
    with pytest.raises(UsageError, match="has no option 'feed'"):
        export(square, "joint-trajectory", feed=1000)
    with pytest.raises(UsageError, match="program name"):
        export(square, "urscript", name="1 bad")


def test_installed_strokebot_script_has_the_formats():
    strokebot = str(Path(sys.executable).with_name("strokebot"))
    out = subprocess.run([strokebot, "formats", "urscript"], capture_output=True, text=True, check=True).stdout
    assert out.startswith("urscript (.script): URScript program") and "robot" in out


def test_robot_is_the_profile_given(square):
    data = export(square, "joint-trajectory", robot="ur5e-table-lifter", speed=20)
    read = read_joint_trajectory(data)
    assert read["robot"]["name"] == "ur5e-table-lifter" and read["tool"]["digital_output"] == 0
    assert get_robot("ur5e-table-lifter").pen_control == read["tool"]["pen_control"]
