"""Robot profiles: the bundled ones, a user's file with its own arm, and profiles that are refused."""

from __future__ import annotations

import numpy as np
import pytest
from strokebot_arm.robots import get_robot, load_robots

from strokebot.errors import UsageError

# A UR3e, as a user adds an arm: Universal Robots' published DH parameters and limits.
UR3E = """
[arm.ur3e]
description = "Universal Robots UR3e"
dh_a = [0.0, -0.24355, -0.2132, 0.0, 0.0, 0.0]
dh_d = [0.15185, 0.0, 0.0, 0.13105, 0.08535, 0.0921]
dh_alpha = [90.0, 0.0, 0.0, 90.0, -90.0, 0.0]
joint_names = ["shoulder_pan_joint", "shoulder_lift_joint", "elbow_joint", "wrist_1_joint", "wrist_2_joint", "wrist_3_joint"]
position_limits = [360.0, 360.0, 180.0, 360.0, 360.0, 360.0]
speed_limits = [180.0, 180.0, 180.0, 360.0, 360.0, 360.0]
acceleration_limits = [180.0, 180.0, 180.0, 180.0, 180.0, 180.0]
torque_limits = [56.0, 56.0, 28.0, 12.0, 12.0, 12.0]
masses = [1.98, 3.4445, 1.437, 0.871, 0.805, 0.261]
centres_of_mass = [[0, -0.02, 0], [0.13, 0, 0.1157], [0.05, 0, 0.0238], [0, 0, 0.01], [0, 0, 0.01], [0, 0, -0.02]]
link_radii = [0.045, 0.04, 0.035, 0.03, 0.03, 0.025]
base_radius = 0.06
base_height = 0.07
servo_kp = [8000.0, 8000.0, 4000.0, 1000.0, 1000.0, 1000.0]
servo_kv = [160.0, 160.0, 80.0, 15.0, 15.0, 15.0]
armature = [0.3, 0.3, 0.15, 0.05, 0.05, 0.05]

[ur3e-desk]
extends = "ur5e-table"
description = "UR3e on a desk"
arm = "ur3e"
origin = [0.0, -0.3, 0.0]
pen_length = 0.12
"""


def test_bundled_profiles():
    robots = load_robots()
    assert {"ur5e-table", "ur5e-table-lifter"} <= set(robots)
    table = robots["ur5e-table"]
    assert table.arm.name == "ur5e" and table.pen_control == "tool-move"
    assert np.degrees(table.arm.speed_limits) == pytest.approx([180] * 6)
    assert table.y_axis @ table.x_axis == pytest.approx(0) and table.normal == pytest.approx([0, 0, 1])
    assert robots["ur5e-table-lifter"].pen_control == "digital-output" and robots["ur5e-table-lifter"].speed == table.speed


def test_unknown_robot_lists_the_known_ones():
    with pytest.raises(UsageError, match=r"unknown robot 'ur10' \(known robots: ur5e-table, ur5e-table-lifter"):
        get_robot("ur10")


def test_a_users_arm_and_profile_plan_and_simulate(tmp_path, monkeypatch, square):
    import strokebot_arm

    path = tmp_path / "robots.toml"
    path.write_text(UR3E)
    monkeypatch.setenv("STROKEBOT_ROBOTS", str(path))
    robot = get_robot("ur3e-desk")
    assert robot.arm.name == "ur3e" and robot.source == str(path) and robot.speed == 0.05  # the rest from ur5e-table
    plan = strokebot_arm.plan(square, "ur3e-desk")
    assert plan.robot.arm.dh.a[1] == -0.24355
    result = plan.simulate()
    assert result.max_error < 0.5, result.line()


@pytest.mark.parametrize("table, message", [
    ('[x]\nextends = "ur5e-table"\nspeed = -1\n', "speed must be positive"),
    ('[x]\nextends = "ur5e-table"\nwarp = 9\n', "unknown field 'warp'"),
    ('[x]\nextends = "ur5e-table"\narm = "ur99"\n', "unknown arm 'ur99' (known arms: ur5e)"),
    ('[x]\nextends = "ur5e-table"\npen_control = "servo"\n', "pen_control must be one of tool-move, digital-output"),
    ('[x]\nextends = "ur5e-table"\nx_axis = [0.0, 0.0, 1.0]\n', "x_axis must lie in the paper's plane"),
    ('[x]\nextends = "ur5e-table"\nhome = [0.0, 0.0]\n', "home must be a list of 6 numbers"),
    ('[x]\nextends = "nothing"\n', "extends unknown robot 'nothing'"),
    ("[x\n", "is not valid TOML"),
])
def test_bad_profiles_are_refused_with_the_reason(tmp_path, table, message):
    path = tmp_path / "robots.toml"
    path.write_text(table)
    with pytest.raises(UsageError) as error:
        get_robot("x", path)
    assert message in str(error.value)
