"""Replaying a joint trajectory on the simulated arm, and what the pen put on the paper.

The trajectory's points are interpolated as a trajectory controller does (cubic Hermite in position
and velocity) at the simulator's 500 Hz. Each joint's position servo tracks that reference with
velocity feed-forward, and a motor adds the torque the arm's own dynamics need for it (inverse
dynamics of the reference, gravity included), as a robot controller's feed-forward does; the servos
close what is left. MuJoCo steps the whole open-loop rollout in C (``mujoco.rollout``).

Where the pen tip pressed on the paper (the touch sensor at the tip reads a force) is the ink. The
figures:

- tracking error: for each inked sample, its distance (in the paper's plane) from the nearest point
  of the drawing's strokes; max and RMS. A gap in a stroke counts too: each stroke point further
  than ``tolerance`` from all ink raises the max to that distance.
- following error: the pen tip's distance from where the plan had it at the same moment, in the
  paper's plane, while the pen is down: the servo's lag, which a drawing does not show.
- pen-down time: seconds the pen touched the paper.
- joint speeds: each joint's largest simulated speed as a share of its limit.
"""

from __future__ import annotations

import dataclasses
import time
from typing import TYPE_CHECKING, Any

import numpy as np

from strokebot_arm.model import TIMESTEP, build, load_mujoco

if TYPE_CHECKING:
    from strokebot_arm.trajectory import JointTrajectory

__all__ = ["Simulation", "simulate", "DEFAULT_TOLERANCE", "TOUCH"]

#: Largest tracking error (mm) that passes.
DEFAULT_TOLERANCE = 0.5
#: Force (N) on the pen tip above which it counts as touching the paper.
TOUCH = 0.05
_SETTLE = 0.3  # seconds simulated after the plan's end


@dataclasses.dataclass
class Simulation:
    """What happened when the trajectory was replayed (see the module doc).

    Attributes:
        trajectory: the plan replayed.
        t: (S,) simulated times.
        tip: (S, 3) the pen tip (metres, base frame).
        force: (S,) the paper's push on the pen tip (N).
        speeds: (S, 6) joint speeds (rad/s).
        ink: (I, 2) where the pen touched, in mm from the page centre (x right, y down).
        ink_time: (I,) when.
        ink_error: (I,) each ink sample's distance from the nearest stroke (mm).
        missed: (M, 2) stroke points (mm) further than ``tolerance`` from all ink.
        tolerance: the tracking error that passes (mm).
        seconds: wall-clock seconds the simulation took.
    """

    trajectory: JointTrajectory
    t: np.ndarray
    tip: np.ndarray
    force: np.ndarray
    speeds: np.ndarray
    ink: np.ndarray
    ink_time: np.ndarray
    ink_error: np.ndarray
    gap: float
    missed: np.ndarray
    following: np.ndarray
    state: np.ndarray
    tolerance: float
    seconds: float

    @property
    def max_error(self) -> float:
        """Largest tracking error (mm): ink away from the strokes, or a stroke left without ink."""
        worst = float(self.ink_error.max()) if len(self.ink_error) else float("inf")
        return max(worst, self.gap)

    @property
    def rms_error(self) -> float:
        """Root mean square of the ink's distance from the strokes (mm)."""
        return float(np.sqrt(np.mean(self.ink_error**2))) if len(self.ink_error) else float("inf")

    @property
    def max_following(self) -> float:
        return float(self.following.max()) if len(self.following) else 0.0

    @property
    def pen_down_time(self) -> float:
        """Seconds the pen touched the paper."""
        return float((self.force > TOUCH).sum() * TIMESTEP)

    def speed_share(self) -> np.ndarray:
        """(6,) each joint's largest simulated speed as a share of its limit."""
        return np.abs(self.speeds).max(axis=0) / self.trajectory.robot.arm.speed_limits

    @property
    def passed(self) -> bool:
        return self.max_error <= self.tolerance and bool((self.speed_share() <= 1.0).all())

    def as_dict(self) -> dict[str, Any]:
        share = self.speed_share()
        names = self.trajectory.joint_names
        return {
            "robot": self.trajectory.robot.name,
            "tracking_error_mm": {"max": round(self.max_error, 4), "rms": round(self.rms_error, 4)},
            "following_error_mm": {"max": round(self.max_following, 4)},
            "pen_down_s": round(self.pen_down_time, 3),
            "planned_pen_down_s": round(self.trajectory.pen_down_time, 3),
            "duration_s": round(self.trajectory.duration, 3),
            "joint_speed_share": {n: round(float(s), 4) for n, s in zip(names, share, strict=True)},
            "tolerance_mm": self.tolerance,
            "passed": self.passed,
            "simulated_in_s": round(self.seconds, 3),
        }

    def line(self) -> str:
        """One line of figures."""
        share = self.speed_share()
        j = int(np.argmax(share))
        return (f"tracking error max {self.max_error:.3f} mm, RMS {self.rms_error:.3f} mm; pen down {self.pen_down_time:.2f} s "
                f"(planned {self.trajectory.pen_down_time:.2f} s) of {self.trajectory.duration:.1f} s; fastest joint "
                f"{self.trajectory.joint_names[j]} at {share[j]:.0%} of its speed limit")

    def preview(self, path: Any = None, **options: Any) -> tuple[bytes, str | None]:
        """The preview picture (see :func:`strokebot_arm.preview.preview`)."""
        from strokebot_arm.preview import preview

        return preview(self, path, **options)


def _reference(trajectory: JointTrajectory, steps: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    times = np.arange(steps) * TIMESTEP
    q, qd, qdd = trajectory.sample(times)
    return times, q, qd, qdd


def _pen_command(trajectory: JointTrajectory, times: np.ndarray) -> np.ndarray:
    """The lifter's position (the pen slide's set point) at ``times``: 0 extended, ``-lift`` retracted."""
    robot = trajectory.robot
    command = np.zeros(len(times))
    if robot.pen_control != "digital-output":
        return command
    command[:] = -robot.lift
    down = np.zeros(len(times), bool)
    for start, piece in zip(trajectory.starts, trajectory.pieces, strict=True):
        if piece.pen:
            down |= (times >= start) & (times <= start + piece.t[-1])
    # The dwell after a stroke is the lifter going up: the output is off from its start.
    for start, piece, following in zip(trajectory.starts, trajectory.pieces, trajectory.pieces[1:] + [None], strict=True):
        if piece.kind == "dwell" and (following is None or not following.pen):
            down &= ~((times >= start) & (times <= start + piece.t[-1]))
    command[down] = 0.0
    return command


def _feedforward(model: Any, q: np.ndarray, qd: np.ndarray, qdd: np.ndarray) -> np.ndarray:
    """Joint torques (S, 6) the arm needs to follow (q, qd, qdd) exactly, contacts aside."""
    mujoco = load_mujoco()

    data = mujoco.MjData(model)
    model.opt.disableflags |= int(mujoco.mjtDisableBit.mjDSBL_CONTACT)
    torque = np.empty_like(q)
    try:
        for k in range(len(q)):
            data.qpos[:6], data.qvel[:6], data.qacc[:6] = q[k], qd[k], qdd[k]
            mujoco.mj_inverse(model, data)
            torque[k] = data.qfrc_inverse[:6]
    finally:
        model.opt.disableflags &= ~int(mujoco.mjtDisableBit.mjDSBL_CONTACT)
    return torque


def _distance_to_strokes(points: np.ndarray, lines: list[np.ndarray], *, step: float = 0.01) -> np.ndarray:
    """(N,) distance of each of ``points`` (N, 2) from the nearest point of the polylines ``lines``.

    The polylines are cut into points ``step`` apart and searched with a k-d tree: a distance is
    at most ``step / 2`` (0.005 mm) more than the exact distance to the line.
    """
    from scipy.spatial import cKDTree

    if not len(points):
        return np.zeros(0)
    if not lines:
        return np.full(len(points), np.inf)
    distances, _ = cKDTree(_densified(lines, step)).query(points)
    return np.asarray(distances)


def ink_lines(ink: np.ndarray, when: np.ndarray) -> list[np.ndarray]:
    """The ink (I, 2) as the lines the pen drew: split wherever it left the paper."""
    breaks = np.flatnonzero(np.diff(when) > 1.5 * TIMESTEP) + 1
    return [run for run in np.split(ink, breaks) if len(run)]


def _densified(lines: list[np.ndarray], step: float) -> np.ndarray:
    """The points of the polylines ``lines``, with points added so that none are more than ``step`` apart."""
    out = []
    for xy in lines:
        out.append(xy[:1])
        if len(xy) < 2:
            continue
        lengths = np.linalg.norm(np.diff(xy, axis=0), axis=1)
        counts = np.maximum(1, np.ceil(lengths / step).astype(int))
        segment = np.repeat(np.arange(len(lengths)), counts)
        fraction = (np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts) + 1) / np.repeat(counts, counts)
        out.append(xy[segment] + (xy[segment + 1] - xy[segment]) * fraction[:, None])
    return np.concatenate(out) if out else np.zeros((0, 2))


def simulate(trajectory: JointTrajectory, *, tolerance: float = DEFAULT_TOLERANCE) -> Simulation:
    """Replay ``trajectory`` on the robot's MuJoCo model and measure the ink (see the module doc)."""
    mujoco = load_mujoco()
    started = time.perf_counter()
    robot = trajectory.robot
    model = build(robot)
    data = mujoco.MjData(model)
    steps = int(np.ceil((trajectory.duration + _SETTLE) / TIMESTEP))
    times, q, qd, qdd = _reference(trajectory, steps)
    arm = robot.arm
    control = np.zeros((steps, model.nu))
    control[:, :6] = q + (arm.servo_kv / arm.servo_kp) * qd
    control[:, 6:12] = np.clip(_feedforward(model, q, qd, qdd), -arm.torque_limits, arm.torque_limits)
    control[:, 12] = _pen_command(trajectory, times)
    data.qpos[:6] = trajectory.q[0]
    data.qpos[6] = control[0, 12]
    mujoco.mj_forward(model, data)
    spec = mujoco.mjtState.mjSTATE_FULLPHYSICS
    initial = np.empty(mujoco.mj_stateSize(model, spec))
    mujoco.mj_getState(model, data, initial, spec)
    state, sensors = mujoco.rollout.rollout(model, data, initial, control[None], control_spec=mujoco.mjtState.mjSTATE_CTRL)
    state, sensors = state[0], sensors[0]
    force, tip, speeds = sensors[:, 0], sensors[:, 1:4], sensors[:, 4:10]
    sim_t = times + TIMESTEP  # the state after each step

    # Ink: where the tip pressed, in page millimetres.
    touching = force > TOUCH
    relative = tip[touching] - robot.origin
    ink = np.column_stack([relative @ robot.x_axis, relative @ robot.y_axis]) * 1000.0
    ink_error = _distance_to_strokes(ink, trajectory.strokes)
    tolerance = float(tolerance)
    wanted = _densified(trajectory.strokes, 0.02)
    gaps = _distance_to_strokes(wanted, ink_lines(ink, sim_t[touching])) if len(ink) else np.full(len(wanted), np.inf)
    gap = float(gaps.max()) if len(gaps) else 0.0
    missed = wanted[gaps > tolerance]

    # Following error: actual against planned tip, in the paper's plane, pen down.
    planned = trajectory.tip(trajectory.sample(sim_t)[0])
    drift = tip - planned
    drift -= np.outer(drift @ robot.normal, robot.normal)
    following = np.linalg.norm(drift[touching], axis=1) * 1000.0
    return Simulation(
        trajectory=trajectory, t=sim_t, tip=tip, force=force, speeds=speeds, ink=ink, ink_time=sim_t[touching],
        ink_error=ink_error, gap=gap, missed=missed, following=following, state=state, tolerance=tolerance,
        seconds=time.perf_counter() - started,
    )
