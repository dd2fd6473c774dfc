"""A planned drawing as a URScript program for a Universal Robots controller.

The program is one ``def strokebot_drawing(): … end`` block (what the controller runs when the file
is sent to it or loaded as a script): it sets the pen as the tool centre point, moves the joints
to ``home`` and to the first stroke with ``movej`` (joint angles from the plan, which fixes the
arm's posture: ``movel`` keeps it), then draws every stroke with ``movel`` through its points and
travels between strokes with ``movel`` as well. Units are URScript's own: metres, radians, m/s,
m/s², rad/s, rad/s², seconds. Each ``movel`` carries the speed the plan found for that stretch of
the stroke (slower where the joint limits demand it), the profile's acceleration and a blend radius
``r`` (0 where the pen must stop: at a stroke's ends and sharp corners; never more than 45 % of the
shorter neighbouring move, so blends never overlap). With ``pen_control = "digital-output"`` the
pen goes down and up by ``set_standard_digital_out`` followed by ``sleep`` of the lifter's dwell.

Poses are ``p[x, y, z, rx, ry, rz]`` of the pen tip in the base frame, the rotation as a rotation
vector (axis times angle, radians).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from strokebot.errors import UsageError

if TYPE_CHECKING:
    from strokebot_arm.trajectory import JointTrajectory

__all__ = ["to_urscript", "rotation_vector", "PROGRAM"]

PROGRAM = "strokebot_drawing"
#: Slowest speed (m/s) a movel is given: a stretch the plan found slower than this is planned at it too.
_MIN_SPEED = 0.001
#: Largest blend radius (m) on pen-up travel.
_TRAVEL_BLEND = 0.005


def rotation_vector(rotation: np.ndarray) -> np.ndarray:
    """The rotation vector (axis times angle, radians) of a rotation matrix, as URScript poses take it."""
    cos = np.clip((np.trace(rotation) - 1.0) / 2.0, -1.0, 1.0)
    angle = math.acos(cos)
    if angle < 1e-9:
        return np.zeros(3)
    if math.pi - angle < 1e-6:  # half a turn: the axis from the symmetric part
        axis_squared = np.clip((np.diag(rotation) + 1.0) / 2.0, 0.0, None)
        axis = np.sqrt(axis_squared)
        k = int(np.argmax(axis))
        for j in range(3):
            if j != k:
                axis[j] = math.copysign(axis[j], rotation[k, j] + rotation[j, k])
        return axis / np.linalg.norm(axis) * angle
    axis = np.array([rotation[2, 1] - rotation[1, 2], rotation[0, 2] - rotation[2, 0], rotation[1, 0] - rotation[0, 1]])
    return axis / (2.0 * math.sin(angle)) * angle


def _n(value: float, decimals: int = 6) -> str:
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _pose(point: np.ndarray, rv: np.ndarray) -> str:
    return "p[" + ", ".join(_n(v) for v in (*point, *rv)) + "]"


def _joints(q: np.ndarray) -> str:
    return "[" + ", ".join(_n(v) for v in q) + "]"


def _blends(points: np.ndarray, largest: float) -> np.ndarray:
    """Blend radius at each of ``points`` (M, 3): 0 at the ends, else at most 45 % of either neighbouring move."""
    radii = np.zeros(len(points))
    if len(points) > 2:
        lengths = np.linalg.norm(np.diff(points, axis=0), axis=1)
        radii[1:-1] = np.minimum(largest, 0.45 * np.minimum(lengths[:-1], lengths[1:]))
    return np.floor(radii * 1e6) / 1e6  # as written, to the micrometre, never rounded up


def to_urscript(trajectory: JointTrajectory, *, name: str = PROGRAM, blend: float | None = None) -> str:
    """The URScript program of ``trajectory`` (see the module doc).

    Args:
        name: the program's name (letters, digits and underscores, not starting with a digit).
        blend: the largest blend radius between drawing moves in metres (default: the profile's).

    Raises:
        UsageError: a name URScript does not take, or a negative blend.
    """
    if not (name.replace("_", "a").isalnum() and name.isascii() and not name[0].isdigit()):
        raise UsageError(f"urscript: the program name must be letters, digits and underscores, got {name!r}")
    robot = trajectory.robot
    arm = robot.arm
    blend = robot.blend if blend is None else blend
    if not (isinstance(blend, (int, float)) and blend >= 0):
        raise UsageError(f"urscript: blend must be a length of at least 0, got {blend!r}")
    rv = rotation_vector(robot.tool_rotation())
    joint_v = float((arm.speed_limits * robot.joint_speed).min())
    joint_a = float((arm.acceleration_limits * robot.joint_speed).min())
    digital = robot.pen_control == "digital-output"
    lines = [
        f"def {name}():",
        f"  # strokebot-arm: {len(trajectory.strokes)} strokes for {robot.name} ({arm.description}); "
        f"planned {trajectory.duration:.1f} s, pen down {trajectory.pen_down_time:.1f} s",
        f"  # arm posture: {trajectory.branch}. Units: m, rad, m/s, m/s^2, rad/s, rad/s^2, s.",
        f"  set_tcp(p[0, 0, {_n(robot.pen_length)}, 0, 0, 0])",
    ]
    if digital:
        lines.append(f"  set_standard_digital_out({robot.output}, False)")
    stroke_seen = -1
    pieces = trajectory.pieces
    for i, piece in enumerate(pieces):
        if piece.kind == "joint":
            if i == 0:
                lines.append(f"  movej({_joints(piece.q[0])}, a={_n(joint_a, 4)}, v={_n(joint_v, 4)})  # home")
            lines.append(f"  movej({_joints(piece.q[-1])}, a={_n(joint_a, 4)}, v={_n(joint_v, 4)})"
                         + ("  # home" if i == len(pieces) - 1 else ""))
        elif piece.kind == "dwell":  # the lifter moving: before a stroke down, after it up
            down = i + 1 < len(pieces) and pieces[i + 1].pen
            lines.append(f"  set_standard_digital_out({robot.output}, {'True' if down else 'False'})")
            lines.append(f"  sleep({_n(piece.duration, 3)})")
        elif piece.kind == "hold":  # a dot
            lines.append(f"  sleep({_n(piece.duration, 3)})")
        elif piece.kind == "draw":
            if piece.stroke != stroke_seen:
                stroke_seen = piece.stroke
                lines.append(f"  # stroke {piece.stroke + 1}")
            corners = piece.tip[piece.corners]
            radii = _blends(corners, blend)
            speeds = np.maximum(piece.speeds if piece.speeds is not None else np.full(len(corners), piece.speed), _MIN_SPEED)
            for point, r, v in zip(corners[1:], radii[1:], speeds[1:], strict=True):
                lines.append(f"  movel({_pose(point, rv)}, a={_n(piece.acceleration, 4)}, v={_n(v, 4)}, r={_n(r)})")
        else:  # lower, travel, lift: the pen-up path's own corners, blended
            corners = piece.via if piece.via is not None else piece.tip[[0, -1]]
            radii = _blends(corners, _TRAVEL_BLEND)
            for point, r in zip(corners[1:], radii[1:], strict=True):
                lines.append(f"  movel({_pose(point, rv)}, a={_n(piece.acceleration, 4)}, v={_n(piece.speed, 4)}, r={_n(r)})")
    lines.append("end")
    return "\n".join(lines) + "\n"

