"""A planned joint trajectory, and its export as a JSON ``trajectory_msgs/JointTrajectory``.

:class:`JointTrajectory` is what :func:`strokebot_arm.plan` returns: joint positions, velocities
and accelerations every ``dt`` seconds from the home posture, through the drawing, back home; the
pen's state; and the pieces (joint moves, pen-up travel, strokes) a URScript program is written from.

The JSON document (``strokebot.joint_trajectory``, version 1) holds the trajectory exactly in the
shape of a ROS 2 ``trajectory_msgs/msg/JointTrajectory`` under ``"trajectory"`` (``header``,
``joint_names``, ``points`` with ``positions``, ``velocities``, ``accelerations``, ``effort`` and
``time_from_start {sec, nanosec}``), so ``rosidl_runtime_py.set_message_fields(msg,
doc["trajectory"])`` fills a message; beside it, the units, the robot, the tool and the pen's
events. :func:`read_joint_trajectory` reads one back, checking it.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from strokebot.errors import DrawingError
from strokebot_arm.kinematics import Branch, forward
from strokebot_arm.robots import Robot

if TYPE_CHECKING:
    from strokebot.drawing import Drawing
    from strokebot_arm.planning import Piece
    from strokebot_arm.simulation import Simulation

__all__ = ["JointTrajectory", "read_joint_trajectory", "FORMAT", "VERSION", "UNITS", "PenEvent"]

FORMAT = "strokebot.joint_trajectory"
VERSION = 1
UNITS = {"position": "rad", "velocity": "rad/s", "acceleration": "rad/s^2", "time": "s", "length": "m"}


@dataclasses.dataclass(frozen=True)
class PenEvent:
    """The pen reaching (``down``) or leaving the paper at ``t`` seconds, as planned."""

    t: float
    down: bool


@dataclasses.dataclass
class JointTrajectory:
    """A timed joint trajectory that draws a drawing with a robot (see the module doc).

    Attributes:
        robot: the robot profile it was planned for.
        branch: the inverse-kinematics branch it keeps throughout.
        t: (K,) seconds from the start, every ``dt`` within each piece and at each piece's ends.
        q, qd, qdd: (K, 6) joint positions (rad), velocities (rad/s), accelerations (rad/s²).
        pen: (K,) True where the pen is meant to be on the paper.
        pieces: the rest-to-rest pieces, in order (see :class:`strokebot_arm.planning.Piece`).
        strokes: the drawing's strokes in mm from the page centre (x right, y down), as drawn.
        page: the drawing in mm it was planned from.
    """

    robot: Robot
    branch: Branch
    t: np.ndarray
    q: np.ndarray
    qd: np.ndarray
    qdd: np.ndarray
    pen: np.ndarray
    pieces: list[Piece]
    strokes: list[np.ndarray]
    page: Drawing
    dt: float
    starts: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0))  # each piece's start time

    @classmethod
    def from_pieces(cls, robot: Robot, branch: Branch, pieces: Sequence[Piece], strokes: list[np.ndarray],
                    page: Drawing, *, dt: float) -> JointTrajectory:
        times, samples, pen, starts = [], [], [], []
        clock = 0.0
        for i, piece in enumerate(pieces):
            assert piece.t is not None and piece.samples is not None
            skip = 0 if i == 0 else 1  # a piece starts where the one before stopped
            starts.append(clock)
            times.append(clock + piece.t[skip:])
            samples.append(piece.samples[skip:])
            pen.append(np.full(len(piece.t) - skip, piece.pen))
            clock += float(piece.t[-1])
        stacked = np.concatenate(samples)
        return cls(robot=robot, branch=branch, t=np.concatenate(times), q=stacked[:, 0], qd=stacked[:, 1],
                   qdd=stacked[:, 2], pen=np.concatenate(pen), pieces=list(pieces), strokes=strokes, page=page,
                   dt=dt, starts=np.array(starts))

    # -- figures ------------------------------------------------------------------------------------

    @property
    def joint_names(self) -> tuple[str, ...]:
        return self.robot.arm.joint_names

    @property
    def duration(self) -> float:
        """Seconds from home, through the drawing, back home."""
        return float(self.t[-1])

    @property
    def pen_down_time(self) -> float:
        """Seconds planned with the pen on the paper."""
        return float(sum(p.t[-1] for p in self.pieces if p.pen))

    def tip(self, q: np.ndarray | None = None) -> np.ndarray:
        """(K, 3) the extended pen's tip in the base frame (metres) at joint angles ``q`` (default: the plan's)."""
        poses = forward(self.robot.arm.dh, self.q if q is None else q)
        return poses[:, :3, 3] + self.robot.pen_length * poses[:, :3, 2]

    def speed_share(self) -> np.ndarray:
        """(6,) each joint's largest planned speed as a share of its limit."""
        return np.abs(self.qd).max(axis=0) / self.robot.arm.speed_limits

    def acceleration_share(self) -> np.ndarray:
        """(6,) each joint's largest planned acceleration as a share of its limit."""
        return np.abs(self.qdd).max(axis=0) / self.robot.arm.acceleration_limits

    def pen_events(self) -> list[PenEvent]:
        """When the pen is planned to reach and to leave the paper."""
        events: list[PenEvent] = []
        state = False
        for start, piece in zip(self.starts, self.pieces, strict=True):
            if piece.pen != state:
                state = piece.pen
                events.append(PenEvent(float(start), state))
        if state:
            events.append(PenEvent(self.duration, False))
        return events

    def summary(self) -> str:
        """One line: robot, branch, duration, pen-down time, the fastest joint as a share of its limit."""
        share = self.speed_share()
        j = int(np.argmax(share))
        return (f"{self.robot.name} ({self.branch}): {len(self.strokes)} strokes in {self.duration:.1f} s, pen down "
                f"{self.pen_down_time:.1f} s; fastest joint {self.joint_names[j]} at {share[j]:.0%} of its speed limit")

    # -- exports ------------------------------------------------------------------------------------

    def to_document(self, *, decimals: int = 6) -> dict[str, Any]:
        """The JSON document as a dict (see the module doc)."""
        arm = self.robot.arm

        def rounded(values: np.ndarray) -> list[float]:
            return [round(float(v), decimals) + 0.0 for v in values]

        points = []
        for k in range(len(self.t)):
            sec = int(math.floor(self.t[k] + 1e-12))
            nanosec = min(int(round((self.t[k] - sec) * 1e9)), 999_999_999)
            points.append({
                "positions": rounded(self.q[k]), "velocities": rounded(self.qd[k]), "accelerations": rounded(self.qdd[k]),
                "effort": [], "time_from_start": {"sec": sec, "nanosec": nanosec},
            })
        robot = self.robot
        return {
            "format": FORMAT,
            "version": VERSION,
            "units": dict(UNITS),
            "robot": {"name": robot.name, "arm": arm.name, "branch": str(self.branch)},
            "limits": {"position": rounded(arm.position_limits), "velocity": rounded(arm.speed_limits),
                       "acceleration": rounded(arm.acceleration_limits)},
            "tool": {"tcp": [0.0, 0.0, robot.pen_length, 0.0, 0.0, 0.0], "pen_control": robot.pen_control,
                     "digital_output": robot.output if robot.pen_control == "digital-output" else None},
            "duration": round(self.duration, 6),
            "pen": [{"t": round(e.t, 6), "down": e.down} for e in self.pen_events()],
            "trajectory": {
                "header": {"stamp": {"sec": 0, "nanosec": 0}, "frame_id": "base"},
                "joint_names": list(arm.joint_names),
                "points": points,
            },
        }

    def to_json(self, path: str | Path | None = None, **options: Any) -> bytes | None:
        """The ``joint-trajectory`` export: written atomically to ``path``, or returned as bytes."""
        data = (json.dumps(self.to_document(**options), separators=(",", ":")) + "\n").encode()
        if path is None:
            return data
        from strokebot.output import write_bytes

        write_bytes(path, data)
        return None

    def to_urscript(self, path: str | Path | None = None, **options: Any) -> str | None:
        """The drawing as a URScript program (see :mod:`strokebot_arm.urscript`): returned, or written to ``path``."""
        from strokebot_arm.urscript import to_urscript

        text = to_urscript(self, **options)
        if path is None:
            return text
        from strokebot.output import write_bytes

        write_bytes(path, text.encode())
        return None

    def simulate(self, **options: Any) -> Simulation:
        """Replay in MuJoCo with the arm's servos (see :func:`strokebot_arm.simulation.simulate`)."""
        from strokebot_arm.simulation import simulate

        return simulate(self, **options)

    def sample(self, times: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Positions, velocities and accelerations (each (len(times), 6)) at ``times``, interpolated as a
        trajectory controller does between points: cubic Hermite in position and velocity."""
        return hermite(self.t, self.q, self.qd, self.qdd, times)


def hermite(t: np.ndarray, q: np.ndarray, qd: np.ndarray, qdd: np.ndarray, times: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cubic Hermite interpolation of positions and velocities at ``times`` (clamped to ``t``'s span);
    accelerations are the cubic's, blended linearly with the points' own."""
    times = np.clip(np.asarray(times, dtype=np.float64), t[0], t[-1])
    k = np.clip(np.searchsorted(t, times, side="right") - 1, 0, len(t) - 2)
    h = (t[k + 1] - t[k])[:, None]
    u = (times[:, None] - t[k][:, None]) / h
    p0, p1, v0, v1 = q[k], q[k + 1], qd[k] * h, qd[k + 1] * h
    u2, u3 = u * u, u * u * u
    position = (2 * u3 - 3 * u2 + 1) * p0 + (u3 - 2 * u2 + u) * v0 + (-2 * u3 + 3 * u2) * p1 + (u3 - u2) * v1
    velocity = ((6 * u2 - 6 * u) * p0 + (3 * u2 - 4 * u + 1) * v0 + (-6 * u2 + 6 * u) * p1 + (3 * u2 - 2 * u) * v1) / h
    acceleration = (1 - u) * qdd[k] + u * qdd[k + 1]
    return position, velocity, acceleration


def read_joint_trajectory(source: str | Path | bytes) -> dict[str, Any]:
    """A ``strokebot.joint_trajectory`` document, checked, with its points as arrays.

    Returns the document with ``t`` (K,), ``q``, ``qd``, ``qdd`` (K, 6) added.

    Raises:
        DrawingError: not JSON, another format or version, or points that do not fit together
            (a length that is not the number of joints, time not increasing, values not finite).
    """
    name = "joint trajectory"
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    else:
        name = str(source)
        try:
            data = Path(source).read_bytes()
        except OSError as error:
            raise DrawingError(f"cannot read {name} ({error.strerror or error})") from None
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        raise DrawingError(f"{name} is not JSON: {error}") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise DrawingError(f"{name} is not a {FORMAT} document")
    if doc.get("version") != VERSION:
        raise DrawingError(f"{name}: {FORMAT} version {doc.get('version')!r} is not supported (this reads {VERSION})")
    if doc.get("units") != UNITS:
        raise DrawingError(f"{name}: units must be {UNITS}, got {doc.get('units')!r}")
    try:
        trajectory = doc["trajectory"]
        names = trajectory["joint_names"]
        points = trajectory["points"]
        t = np.array([p["time_from_start"]["sec"] + p["time_from_start"]["nanosec"] * 1e-9 for p in points], float)
        for key in ("positions", "velocities", "accelerations"):
            if any(not isinstance(p[key], list) or len(p[key]) != len(names) for p in points):
                raise DrawingError(f"{name}: every point needs {len(names)} {key}")
        arrays = {key: np.array([p[key] for p in points], float) for key in ("positions", "velocities", "accelerations")}
    except DrawingError:
        raise
    except (KeyError, TypeError, ValueError) as error:
        raise DrawingError(f"{name}: malformed {FORMAT} document ({type(error).__name__}: {error})") from None
    joints = len(names)
    if joints == 0 or len(points) < 2:
        raise DrawingError(f"{name}: needs joint names and at least two points")
    for key, array in arrays.items():
        if array.shape != (len(points), joints):
            raise DrawingError(f"{name}: every point needs {joints} {key}")
        if not np.isfinite(array).all():
            raise DrawingError(f"{name}: {key} hold values that are not finite")
    if not (np.diff(t) > 0).all() or t[0] < 0:
        raise DrawingError(f"{name}: time_from_start must start at or after 0 and increase from point to point")
    if any(not (0 <= p["time_from_start"]["nanosec"] < 1_000_000_000) for p in points):
        raise DrawingError(f"{name}: nanosec must be within 0..999999999")
    doc["t"], doc["q"], doc["qd"], doc["qdd"] = t, arrays["positions"], arrays["velocities"], arrays["accelerations"]
    return doc
