"""Retiming the pen-down path: TOPP-RA (toppra) against Ruckig, on the same joint waypoints.

    python plugins/strokebot-arm/benchmarks/retiming.py

The word "strokebots" in a Hershey font, 60 mm wide, planned for ur5e-table at 50 mm/s: each
pen-down piece's joint waypoints (every 0.5 mm of the pen's path, from the plan's inverse
kinematics) are timed three ways, within the UR5e's joint speed and acceleration limits and the
pen's 50 mm/s and 0.5 m/s²:

- toppra: time-optimal along the spline through the waypoints (what strokebot-arm uses);
- ruckig, rest to rest: a jerk-limited move from each waypoint to the next, stopping at each (the
  community Ruckig computes paths through intermediate waypoints only on its makers' cloud server);
- ruckig, through the waypoints: each move ends at the next waypoint at the pen's speed along
  the path instead of at rest.

Ruckig also limits jerk, which UR does not publish; it gets 10 times the acceleration limit per
second. Printed per method: the pen-down time, the seconds computing it, the largest distance of
the pen tip from the strokes (forward kinematics every 2 ms), and the largest joint speed and
acceleration as a share of their limits.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import strokebot_arm  # noqa: E402
from arm_drawings import hershey_drawing  # noqa: E402
from strokebot_arm.planning import _retime  # noqa: E402
from strokebot_arm.simulation import _distance_to_strokes  # noqa: E402

DT = 0.002


def tip_error(plan, piece, q):
    robot = plan.robot
    tip = plan.tip(q)
    relative = tip - robot.origin
    page = np.column_stack([relative @ robot.x_axis, relative @ robot.y_axis]) * 1000
    line = piece.tip - robot.origin
    path = np.column_stack([line @ robot.x_axis, line @ robot.y_axis]) * 1000
    return float(_distance_to_strokes(page, [path], step=0.002).max())


def shares(plan, qd, qdd):
    arm = plan.robot.arm
    return float((np.abs(qd) / arm.speed_limits).max()), float((np.abs(qdd) / arm.acceleration_limits).max())


def with_toppra(plan, piece):
    arm, robot = plan.robot.arm, plan.robot
    s = np.r_[0.0, np.cumsum(np.linalg.norm(np.diff(piece.tip, axis=0), axis=1))]
    t, samples = _retime(piece.q, s, arm.speed_limits, arm.acceleration_limits, robot.speed, robot.acceleration, DT)
    return t[-1], samples[:, 0], samples[:, 1], samples[:, 2]


def with_ruckig(plan, piece, through: bool):
    from ruckig import InputParameter, Ruckig, Synchronization, Trajectory

    arm, robot = plan.robot.arm, plan.robot
    otg = Ruckig(6)
    q = piece.q
    # joint velocity at each waypoint for the pen at its speed along the path (0 at the ends)
    s = np.r_[0.0, np.cumsum(np.linalg.norm(np.diff(piece.tip, axis=0), axis=1))]
    dq_ds = np.gradient(q, s, axis=0)
    speed = np.full(len(q), robot.speed)
    speed[[0, -1]] = 0.0
    scale = np.minimum(1.0, (arm.speed_limits / np.maximum(np.abs(dq_ds * speed[:, None]), 1e-12)).min(axis=1))
    velocity = dq_ds * (speed * scale)[:, None] if through else np.zeros_like(q)
    total, positions, velocities, accelerations = 0.0, [], [], []
    for i in range(len(q) - 1):
        inp = InputParameter(6)
        inp.current_position, inp.target_position = q[i].tolist(), q[i + 1].tolist()
        inp.current_velocity, inp.target_velocity = velocity[i].tolist(), velocity[i + 1].tolist()
        inp.max_velocity = arm.speed_limits.tolist()
        inp.max_acceleration = arm.acceleration_limits.tolist()
        inp.max_jerk = (10 * arm.acceleration_limits).tolist()
        inp.synchronization = Synchronization.Time if through else Synchronization.Phase
        trajectory = Trajectory(6)
        otg.calculate(inp, trajectory)
        for t in np.arange(0.0, trajectory.duration, DT):
            p, v, a = trajectory.at_time(t)
            positions.append(p)
            velocities.append(v)
            accelerations.append(a)
        total += trajectory.duration
    return total, np.array(positions), np.array(velocities), np.array(accelerations)


def main() -> None:
    plan = strokebot_arm.plan(hershey_drawing("strokebots").fit(width=60), "ur5e-table")
    pieces = [p for p in plan.pieces if p.kind == "draw"]
    waypoints = sum(len(p.tip) for p in pieces)
    print(f"'strokebots', 60 mm wide, ur5e-table at 50 mm/s: {len(pieces)} pen-down pieces, {waypoints} joint waypoints\n")
    print("| method | pen-down time s | computed in s | pen off the strokes, max mm | joint speed / limit | joint acceleration / limit |")
    print("| --- | --- | --- | --- | --- | --- |")
    methods = [("toppra (kept)", with_toppra), ("ruckig, rest to rest", lambda p, c: with_ruckig(p, c, False)),
               ("ruckig, through the waypoints", lambda p, c: with_ruckig(p, c, True))]
    for name, method in methods:
        started = time.perf_counter()
        results = [method(plan, piece) for piece in pieces]
        seconds = time.perf_counter() - started
        duration = sum(r[0] for r in results)
        error = max(tip_error(plan, piece, r[1]) for piece, r in zip(pieces, results, strict=True))
        speed = max(shares(plan, r[2], r[3])[0] for r in results)
        acceleration = max(shares(plan, r[2], r[3])[1] for r in results)
        print(f"| {name} | {duration:.2f} | {seconds:.2f} | {error:.3f} | {speed:.2f} | {acceleration:.2f} |")


if __name__ == "__main__":
    main()
