"""Streaming a plan to a real Universal Robots arm over RTDE, with the ``ur-rtde`` package.

``pip install "strokebot-arm[rtde]"`` brings ``ur-rtde``. :func:`stream` moves the arm to the plan's
first point with ``moveJ``, then sends the joint trajectory as ``servoJ`` set points at the
controller's rate (500 Hz on e-Series), each interpolated from the plan exactly as the simulator
interpolates it (:meth:`JointTrajectory.sample`), and switches the pen's digital output at the
planned moments (profiles with ``pen_control = "digital-output"``). ``servoStop`` ends servo mode,
also when the stream is interrupted.

Before a real arm: run ``strokebot simulate`` with the same profile; check the profile's drawing
plane against the real table (``origin`` is in the arm's base frame); keep a hand on the emergency
stop; start at a lower speed (``--speed``). The controller's own safety limits still apply.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import numpy as np

from strokebot.errors import UsageError

if TYPE_CHECKING:
    from strokebot_arm.trajectory import JointTrajectory

__all__ = ["stream", "Streamed", "set_points", "FREQUENCY", "LOOKAHEAD", "GAIN"]

#: e-Series controllers take RTDE set points at 500 Hz.
FREQUENCY = 500.0
#: servoJ's smoothing look-ahead (s, 0.03 to 0.2) and its proportional gain (100 to 2000).
LOOKAHEAD = 0.05
GAIN = 600.0


@dataclasses.dataclass
class Streamed:
    """What :func:`stream` sent: the set points (K, 6) at times (K,) and the pen's output switches."""

    t: np.ndarray
    q: np.ndarray
    outputs: list[tuple[float, int, bool]]


def set_points(trajectory: JointTrajectory, frequency: float = FREQUENCY) -> tuple[np.ndarray, np.ndarray]:
    """Times (K,) and joint positions (K, 6) of the servo set points, ``1/frequency`` apart, to the plan's end."""
    times = np.arange(0.0, trajectory.duration + 0.5 / frequency, 1.0 / frequency)
    return times, trajectory.sample(times)[0]


def _load(plan: Any) -> JointTrajectory:
    from strokebot_arm.trajectory import JointTrajectory

    if isinstance(plan, JointTrajectory):
        return plan
    raise UsageError(f"stream takes a plan from strokebot_arm.plan, got {type(plan).__name__}")


def stream(plan: JointTrajectory, host: str | None = None, *, control: Any = None, io: Any = None,
           frequency: float = FREQUENCY, lookahead: float = LOOKAHEAD, gain: float = GAIN,
           approach_speed: float = 0.5, approach_acceleration: float = 0.5) -> Streamed:
    """Send ``plan`` to the arm at ``host`` (see the module doc) and return what was sent.

    Args:
        plan: a :class:`~strokebot_arm.trajectory.JointTrajectory` for this arm.
        host: the controller's address; or pass ``control`` (an ``rtde_control.RTDEControlInterface``,
            or anything with its ``moveJ``, ``initPeriod``, ``servoJ``, ``waitPeriod``, ``servoStop``) and,
            for a pen on a digital output, ``io`` (an ``rtde_io.RTDEIOInterface``).
        frequency: set points per second.
        lookahead, gain: servoJ's smoothing and gain.
        approach_speed, approach_acceleration: the moveJ to the first point (rad/s, rad/s²).

    Raises:
        UsageError: neither ``host`` nor ``control``, or ``ur-rtde`` is not installed.
    """
    trajectory = _load(plan)
    robot = trajectory.robot
    digital = robot.pen_control == "digital-output"
    if control is None or (digital and io is None):
        if host is None:
            raise UsageError("stream needs the arm's host (or an RTDE control interface)")
        try:
            import rtde_control
            import rtde_io
        except ImportError:
            raise UsageError('streaming to an arm needs ur-rtde: pip install "strokebot-arm[rtde]"') from None
        if control is None:
            control = rtde_control.RTDEControlInterface(host, frequency)
        if digital and io is None:
            io = rtde_io.RTDEIOInterface(host)
    times, q = set_points(trajectory, frequency)
    switches = [(e.t, e.down) for e in trajectory.pen_events()] if digital else []
    outputs: list[tuple[float, int, bool]] = []
    if digital:
        io.setStandardDigitalOut(robot.output, False)
        outputs.append((0.0, robot.output, False))
    control.moveJ(q[0].tolist(), approach_speed, approach_acceleration)
    pending = list(switches)
    try:
        for k in range(len(times)):
            period = control.initPeriod()
            while pending and pending[0][0] <= times[k] + 1e-9:
                _, down = pending.pop(0)
                io.setStandardDigitalOut(robot.output, down)
                outputs.append((float(times[k]), robot.output, down))
            control.servoJ(q[k].tolist(), 0.0, 0.0, 1.0 / frequency, lookahead, gain)
            control.waitPeriod(period)
    finally:
        control.servoStop()
        if digital:
            io.setStandardDigitalOut(robot.output, False)
    return Streamed(t=times, q=q, outputs=outputs)
