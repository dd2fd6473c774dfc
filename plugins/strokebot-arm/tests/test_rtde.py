"""Streaming to a UR over RTDE: against a stand-in for ur-rtde's control interface that records what it is sent.

No arm and no URSim here: these tests check what strokebot-arm sends and when, against the same
interpolated joint trajectory the simulator replays, and that the calls exist in ur-rtde's API.
"""

from __future__ import annotations

import numpy as np
import pytest
import strokebot_arm
from strokebot_arm.rtde import FREQUENCY, set_points, stream


class RecordingControl:
    """ur-rtde's RTDEControlInterface, as far as stream uses it, with a clock instead of the wire."""

    def __init__(self, fail_after: int | None = None) -> None:
        self.calls: list[tuple] = []
        self.servo: list[list[float]] = []
        self.clock = 0.0
        self.fail_after = fail_after

    def moveJ(self, q, speed, acceleration):  # noqa: N802 - ur-rtde's names
        self.calls.append(("moveJ", list(q), speed, acceleration))
        return True

    def initPeriod(self):  # noqa: N802
        return self.clock

    def servoJ(self, q, speed, acceleration, time, lookahead_time, gain):  # noqa: N802
        if self.fail_after is not None and len(self.servo) >= self.fail_after:
            raise RuntimeError("connection lost")
        assert len(q) == 6 and 0.03 <= lookahead_time <= 0.2 and 100 <= gain <= 2000
        self.servo.append(list(q))
        self.calls.append(("servoJ", time))
        return True

    def waitPeriod(self, start):  # noqa: N802
        self.clock = start + 1.0 / FREQUENCY

    def servoStop(self, a=10.0):  # noqa: N802
        self.calls.append(("servoStop",))
        return True


class RecordingIO:
    def __init__(self, control: RecordingControl) -> None:
        self.control = control
        self.outputs: list[tuple[float, int, bool]] = []

    def setStandardDigitalOut(self, output, level):  # noqa: N802
        self.outputs.append((self.control.clock, output, level))
        return True


@pytest.fixture(scope="module")
def plan():
    from arm_drawings import hershey_drawing

    return strokebot_arm.plan(hershey_drawing("Hi"), "ur5e-table")


def test_streams_the_trajectory_the_simulator_replays(plan):
    control = RecordingControl()
    sent = stream(plan, control=control)
    assert control.calls[0][0] == "moveJ" and control.calls[0][1] == pytest.approx(plan.q[0].tolist())
    assert control.calls[-1] == ("servoStop",)
    servo = np.array(control.servo)
    assert len(servo) == len(sent.t) and sent.t[-1] == pytest.approx(plan.duration, abs=1 / FREQUENCY)
    assert all(c[1] == pytest.approx(1 / FREQUENCY) for c in control.calls if c[0] == "servoJ")
    # the simulator's reference at the same moments
    from strokebot_arm.model import TIMESTEP
    from strokebot_arm.simulation import _reference

    assert pytest.approx(1 / FREQUENCY) == TIMESTEP
    _, reference, _, _ = _reference(plan, len(servo))
    assert np.abs(servo - reference).max() < 1e-12
    # and the planned points themselves, where the set points meet them
    at_points = np.searchsorted(sent.t, plan.t[::25])
    close = np.abs(sent.t[at_points] - plan.t[::25]) < 1e-9
    assert np.abs(servo[at_points[close]] - plan.q[::25][close]).max() < 1e-9
    # no set point moves a joint faster than its limit
    assert (np.abs(np.diff(servo, axis=0)) * FREQUENCY <= plan.robot.arm.speed_limits * 1.01).all()


def test_a_pen_lifter_is_switched_at_the_planned_moments():
    from arm_drawings import hershey_drawing

    plan = strokebot_arm.plan(hershey_drawing("Hi"), "ur5e-table-lifter")
    control = RecordingControl()
    io = RecordingIO(control)
    stream(plan, control=control, io=io)
    levels = [level for _, _, level in io.outputs]
    events = plan.pen_events()
    assert levels == [False] + [e.down for e in events] + [False]
    for (when, _, _), event in zip(io.outputs[1:-1], events, strict=True):
        assert abs(when - event.t) <= 1.0 / FREQUENCY + 1e-9


def test_servo_stops_when_the_stream_breaks(plan):
    control = RecordingControl(fail_after=10)
    with pytest.raises(RuntimeError, match="connection lost"):
        stream(plan, control=control)
    assert control.calls[-1] == ("servoStop",)


def test_needs_a_host_or_an_interface(plan):
    from strokebot.errors import UsageError

    with pytest.raises(UsageError, match="needs the arm's host"):
        stream(plan)
    assert len(set_points(plan)[0]) == int(round(plan.duration * FREQUENCY)) + 1


def test_the_calls_exist_in_ur_rtde():
    rtde_control = pytest.importorskip("rtde_control", reason="ur-rtde is not installed (pip install 'strokebot-arm[rtde]')")
    rtde_io = pytest.importorskip("rtde_io")
    interface = rtde_control.RTDEControlInterface
    for name in ("moveJ", "initPeriod", "servoJ", "waitPeriod", "servoStop"):
        assert callable(getattr(interface, name))
    assert "lookahead_time" in interface.servoJ.__doc__ and "gain" in interface.servoJ.__doc__
    assert "frequency" in interface.__init__.__doc__
    assert callable(rtde_io.RTDEIOInterface.setStandardDigitalOut)
