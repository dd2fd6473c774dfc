"""Planning: a drawing on the robot's paper, through inverse kinematics, to a timed joint trajectory.

1. The page is laid on the drawing plane (its centre on the profile's ``origin``); each stroke is
   drawn with the pen pressed ``press`` into the paper, and between strokes the pen travels
   ``pen_up`` above it: up, across, down.
2. Every point gets a flange pose (the pen along the tool axis, normal to the paper) and joint
   angles from the closed-form inverse kinematics. One branch (shoulder, elbow, wrist) serves the
   whole drawing: of the eight, the one nearest the ``home`` posture that reaches every point,
   stays inside the joint limits, keeps away from singular poses, never jumps between neighbouring
   points and keeps the arm off the table. Angles are unwrapped along the path, so a joint that can
   turn +-360 degrees never spins round between two points.
3. Each piece (a stroke, split where it turns sharply; a pen-up travel; the joint moves from and
   back to ``home``) is retimed from rest to rest by TOPP-RA (``toppra``): as fast as the joint
   speed and acceleration limits allow, the pen's own speed and acceleration along the paper capped
   at the profile's. The result is sampled every ``dt`` seconds.

When the arm cannot draw the drawing, :func:`plan` raises one :class:`~strokebot.errors.DrawingError`
naming the stroke and point (1-based, in the drawing's order) and what is wrong there.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from strokebot.errors import DrawingError, UsageError
from strokebot_arm.kinematics import BRANCHES, Branch, forward, inverse, singularities
from strokebot_arm.robots import Robot, get_robot

if TYPE_CHECKING:
    from strokebot.drawing import Drawing
    from strokebot_arm.trajectory import JointTrajectory

__all__ = ["plan", "Piece", "place", "DEFAULT_DT", "WRIST_MARGIN", "ELBOW_MARGIN", "SHOULDER_MARGIN"]

#: Seconds between two points of the joint trajectory.
DEFAULT_DT = 0.008
#: Closest a path may come to the singular poses: joint 5 and joint 3 this far from 0 or 180 degrees...
WRIST_MARGIN = math.radians(2.0)
ELBOW_MARGIN = math.radians(2.0)
#: ...and the wrist centre this far (metres) from the plane of the base and shoulder axes.
SHOULDER_MARGIN = 0.02
#: A stroke stops at a corner sharper than this (radians), since a spline in joint space would round it off.
CORNER = math.radians(40.0)
#: Spacing of the points the inverse kinematics is solved at: pen down, pen up (metres).
STEP_DRAW = 0.0005
STEP_TRAVEL = 0.002
#: Largest joint step between two neighbouring points that is not a jump between branches (radians).
JUMP = 0.25
#: Seconds a single dot is held on the paper.
DOT_HOLD = 0.1


@dataclasses.dataclass
class Piece:
    """One rest-to-rest piece of the motion.

    ``kind`` is ``"joint"`` (a straight line in joint space), ``"draw"`` (pen down along a stroke),
    ``"travel"`` (pen up: lift, across, lower), ``"lift"``/``"lower"`` (first and last moves of the
    pen), ``"hold"`` (standing still on a dot) or ``"dwell"`` (standing still while a pen lifter
    on a digital output moves: down before a stroke, up after it). ``tip`` holds the pen tip's
    targets (M, 3) in metres in the base frame (none for joint moves), ``corners`` the indices of
    ``tip`` that are the drawing's own vertices (what a URScript program moves between), ``stroke``
    and ``index`` the stroke and the index of its first point (of the drawing's, 0-based).
    """

    kind: str
    tip: np.ndarray
    stroke: int = -1
    index: np.ndarray | None = None  # (M,) drawing point index of each tip target, for messages
    corners: np.ndarray | None = None
    speed: float = 0.0
    acceleration: float = 0.0
    duration: float = 0.0
    q: np.ndarray | None = None  # (M, 6) joint angles at the tip targets, or the joint move's ends
    t: np.ndarray | None = None  # sampled times from the piece's start
    samples: np.ndarray | None = None  # (K, 3, 6): position, velocity, acceleration at t
    pen: bool = False  # pen on the paper during this piece
    speeds: np.ndarray | None = None  # planned pen speed (m/s) at each corner, for URScript
    via: np.ndarray | None = None  # a pen-up piece's corners before rounding (what URScript moves through)


def place(drawing: Drawing) -> list[np.ndarray]:
    """The strokes' points (N, 2) in millimetres relative to the page's centre (x right, y down)."""
    from strokebot.exporters import in_millimetres

    page = in_millimetres(drawing)
    centre = np.array([page.width / 2.0, page.height / 2.0])
    return [stroke.xy - centre for stroke in page.strokes]


def _resample(points: np.ndarray, step: float) -> tuple[np.ndarray, np.ndarray]:
    """Points along the polyline ``points`` (M, 3) no more than ``step`` apart, with the index of the
    vertex each came from (its own or the one before); every vertex is kept."""
    out = [points[:1]]
    owner = [np.zeros(1, int)]
    for i in range(1, len(points)):
        length = float(np.linalg.norm(points[i] - points[i - 1]))
        count = max(1, math.ceil(length / step - 1e-9))
        f = np.arange(1, count + 1)[:, None] / count
        out.append(points[i - 1] + f * (points[i] - points[i - 1]))
        owner.append(np.r_[np.full(count - 1, i - 1), i])
    return np.concatenate(out), np.concatenate(owner)


def _distinct(points: np.ndarray, index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    keep = np.r_[True, np.linalg.norm(np.diff(points, axis=0), axis=1) > 1e-9]
    return points[keep], index[keep]


def _rounded(points: np.ndarray, radius: float) -> np.ndarray:
    """The polyline ``points`` (M, 3) with each inner corner cut by a quadratic Bezier curve from
    ``radius`` before it to ``radius`` after it (less on short segments): pen-up moves need no
    sharp corners, and a spline in joint space takes smooth ones faster and within the limits."""
    if len(points) < 3 or radius <= 0:
        return points
    out = [points[0]]
    for i in range(1, len(points) - 1):
        before, after = points[i] - points[i - 1], points[i + 1] - points[i]
        r = min(radius, 0.45 * np.linalg.norm(before), 0.45 * np.linalg.norm(after))
        a = points[i] - r * before / np.linalg.norm(before)
        b = points[i] + r * after / np.linalg.norm(after)
        u = np.linspace(0.0, 1.0, 9)[:, None]
        out.extend((1 - u) ** 2 * a + 2 * u * (1 - u) * points[i] + u**2 * b)
    out.append(points[-1])
    return np.array(out)


def _split_at_corners(points: np.ndarray) -> list[int]:
    """Indices of the vertices of ``points`` (M, 3, distinct neighbours) where a stroke stops."""
    if len(points) < 3:
        return []
    d = np.diff(points, axis=0)
    d /= np.linalg.norm(d, axis=1, keepdims=True)
    turn = np.arccos(np.clip((d[:-1] * d[1:]).sum(axis=1), -1.0, 1.0))
    return (np.flatnonzero(turn > CORNER) + 1).tolist()


def _pieces(strokes: Sequence[np.ndarray], robot: Robot) -> list[Piece]:
    """The Cartesian pieces of the drawing, from the first pen-down to the last pen-up."""
    down = -robot.press
    pieces: list[Piece] = []
    digital = robot.pen_control == "digital-output"
    previous: np.ndarray | None = None
    for k, xy in enumerate(strokes):
        vertices = robot.to_plane(xy, down)
        index = np.arange(len(xy))
        vertices, index = _distinct(vertices, index)
        start = vertices[0]
        above = start + robot.pen_up * robot.normal
        if previous is None:
            pieces.append(Piece("lower", np.stack([above, start]), stroke=k, index=np.zeros(2, int),
                                speed=robot.travel_speed, acceleration=robot.travel_acceleration,
                                via=np.stack([above, start])))
        else:
            lifted = previous + robot.pen_up * robot.normal
            path = np.stack([previous, lifted, above, start])
            path, _ = _distinct(path, np.arange(len(path)))
            tip, _ = _resample(_rounded(path, robot.pen_up / 2), STEP_TRAVEL)
            pieces.append(Piece("travel", tip, stroke=k, index=np.zeros(len(tip), int),
                                speed=robot.travel_speed, acceleration=robot.travel_acceleration, via=path))
        if digital and robot.dwell_down > 0:
            pieces.append(Piece("dwell", start[None], stroke=k, index=np.zeros(1, int), duration=robot.dwell_down, pen=True))
        if len(vertices) == 1:
            pieces.append(Piece("hold", start[None], stroke=k, index=index[:1], duration=DOT_HOLD, pen=True))
        else:
            cuts = [0, *_split_at_corners(vertices), len(vertices) - 1]
            for a, b in zip(cuts[:-1], cuts[1:], strict=True):
                tip, owner = _resample(vertices[a:b + 1], STEP_DRAW)
                corners = np.r_[0, np.flatnonzero(np.diff(owner)) + 1]
                pieces.append(Piece("draw", tip, stroke=k, index=index[a + owner], corners=corners, pen=True,
                                    speed=robot.speed, acceleration=robot.acceleration))
        if digital and robot.dwell_up > 0:
            pieces.append(Piece("dwell", vertices[-1][None], stroke=k, index=index[-1:], duration=robot.dwell_up, pen=True))
        previous = vertices[-1]
    if previous is not None:
        up = np.stack([previous, previous + robot.pen_up * robot.normal])
        pieces.append(Piece("lift", up, stroke=len(strokes) - 1, index=np.full(2, len(strokes[-1]) - 1),
                            speed=robot.travel_speed, acceleration=robot.travel_acceleration, via=up))
    return pieces


def flange_poses(tip: np.ndarray, robot: Robot) -> np.ndarray:
    """(N, 4, 4) flange poses that put the extended pen's tip at ``tip`` (N, 3), normal to the paper."""
    rotation = robot.tool_rotation()
    poses = np.zeros((len(tip), 4, 4))
    poses[:, :3, :3] = rotation
    poses[:, :3, 3] = tip - robot.pen_length * rotation[:, 2]
    poses[:, 3, 3] = 1.0
    return poses


@dataclasses.dataclass
class _Attempt:
    branch: Branch
    q: np.ndarray | None = None
    failed_at: int = -1  # first point (of all pieces' points) where it fails; -1: none
    reason: str = ""
    cost: float = 0.0
    excess: float = 0.0  # how far out of reach the failing point is (m)


def _where(pieces: Sequence[Piece], robot: Robot, at: int) -> str:
    """Which stroke and point the ``at``-th tip target of all pieces belongs to, for a message."""
    for piece in pieces:
        if at < len(piece.tip):
            relative = piece.tip[at] - robot.origin
            x, y = relative @ robot.x_axis * 1000.0, relative @ robot.y_axis * 1000.0
            place = f"(x {x:.1f} mm, y {y:.1f} mm from the page centre)"
            k = piece.stroke
            i = int(piece.index[at]) if piece.index is not None else 0
            if piece.kind in ("travel", "lower") and at < len(piece.tip) - 1:
                return f"stroke {k + 1}, point 1, reaching it with the pen up {place}"
            if piece.kind == "lift" and at > 0:
                return f"stroke {k + 1}, point {i + 1}, lifting the pen {place}"
            if piece.kind == "draw" and piece.corners is not None and at not in piece.corners:
                return f"stroke {k + 1}, between points {i + 1} and {i + 2} {place}"
            return f"stroke {k + 1}, point {i + 1} {place}"
        at -= len(piece.tip)
    return "the end"


def _try_branch(robot: Robot, poses: np.ndarray, branch: Branch) -> _Attempt:
    arm = robot.arm
    attempt = _Attempt(branch)
    ik = inverse(arm.dh, poses, branch)
    # Checked up to the first point out of reach: a singular pose before it is what stops the arm.
    reach = len(poses) if ik.reachable.all() else int(np.argmin(ik.reachable))
    if reach == 0:
        attempt.failed_at = 0
        excess = attempt.excess = float(ik.excess[0])
        attempt.reason = f"out of the arm's reach (by {excess * 1000:.0f} mm)" if excess > 5e-4 else "out of the arm's reach"
        return attempt
    q = ik.q[:reach]
    # Start on the turn of each joint nearest home, then never wrap: a joint follows the path.
    shift = np.round((robot.home - q[0]) / (2 * np.pi)) * 2 * np.pi
    q = np.unwrap(q + shift, axis=0)
    over = np.abs(q) > arm.position_limits + 1e-9
    margins = singularities(arm.dh, q)
    jumps = np.r_[0.0, np.abs(np.diff(q, axis=0)).max(axis=1)]
    checks = [
        (margins["wrist"] < math.sin(WRIST_MARGIN),
         lambda i: f"a wrist singularity (joint 5 at {math.degrees(q[i, 4]):.1f} degrees: the first and last wrist axes line up)"),
        (margins["elbow"] < math.sin(ELBOW_MARGIN),
         lambda i: f"an elbow singularity at the edge of the arm's reach (joint 3 at {math.degrees(q[i, 2]):.1f} degrees: the arm stretched straight)"),
        (margins["shoulder"] < SHOULDER_MARGIN,
         lambda i: f"a shoulder singularity (the wrist {margins['shoulder'][i] * 1000:.0f} mm from the base axis' plane)"),
        (jumps > JUMP, lambda i: f"a jump between arm postures (joint {int(np.argmax(np.abs(q[i] - q[i - 1]))) + 1} "
                                  f"turns {math.degrees(jumps[i]):.0f} degrees between two points; a singular pose is close)"),
        (over.any(axis=1), lambda i: (lambda j: f"beyond joint {j + 1}'s limit ({arm.joint_names[j]} at "
                                                 f"{math.degrees(q[i, j]):.0f} degrees, limit +-{math.degrees(arm.position_limits[j]):.0f})")(int(np.argmax(over[i])))),
    ]
    first = len(q)
    for bad, message in checks:
        if bad.any() and int(np.argmax(bad)) < first:
            first = int(np.argmax(bad))
            attempt.reason = message(first)
    if first < len(q):
        attempt.failed_at = first
        return attempt
    if reach < len(poses):
        attempt.failed_at = reach
        excess = attempt.excess = float(ik.excess[reach])
        attempt.reason = f"out of the arm's reach (by {excess * 1000:.0f} mm)" if excess > 5e-4 else "out of the arm's reach"
        return attempt
    attempt.q = q
    home_distance = np.abs(q[0] - robot.home)
    attempt.cost = float(home_distance.sum())
    return attempt


def choose_branch(robot: Robot, pieces: Sequence[Piece], strokes: Sequence[np.ndarray], collisions: Any = None) -> tuple[Branch, np.ndarray]:
    """The branch and unwrapped joint angles (N, 6) for all pieces' tip targets; see the module doc.

    Raises:
        DrawingError: no branch draws every point; the message is the one of the branch that got furthest.
    """
    tips = np.concatenate([p.tip for p in pieces])
    poses = flange_poses(tips, robot)
    attempts = sorted((_try_branch(robot, poses, b) for b in BRANCHES), key=lambda a: a.cost)
    valid = [a for a in attempts if a.q is not None]
    for attempt in valid:
        if collisions is None:
            return attempt.branch, attempt.q
        hit = collisions(attempt.q)
        if hit is None:
            return attempt.branch, attempt.q
        attempt.failed_at, attempt.reason = hit
        attempt.q = None
    furthest = max(attempts, key=lambda a: (a.failed_at, a.excess, -a.cost))
    raise DrawingError(f"{robot.name} cannot draw {_where(pieces, robot, furthest.failed_at)}: {furthest.reason}")


def check_plane(robot: Robot) -> None:
    """Refuse a drawing plane the pen cannot touch at all.

    Raises:
        UsageError: the arm's base is on the paper's far side, or no branch reaches the page's centre
            with the pen normal to the paper.
    """
    shoulder = np.array([0.0, 0.0, robot.arm.dh.d[0]])
    side = float((shoulder - robot.origin) @ robot.normal)
    if side < -0.05:
        raise UsageError(f"robot {robot.name}: the drawing plane faces away from the arm (its shoulder is "
                         f"{-side * 1000:.0f} mm behind the paper); turn its normal towards the arm")
    tip = robot.to_plane(np.zeros((1, 2)), -robot.press)
    poses = flange_poses(tip, robot)
    results = [inverse(robot.arm.dh, poses, b) for b in BRANCHES]
    if not any(r.reachable[0] for r in results):
        distance = float(np.linalg.norm(poses[0, :3, 3] - shoulder))
        raise UsageError(
            f"robot {robot.name}: the pen cannot touch the drawing plane at its origin "
            f"({', '.join(f'{v:.3f}' for v in robot.origin)} m): the flange would be {distance * 1000:.0f} mm from the "
            f"shoulder, the arm reaches about {robot.arm.dh.reach * 1000:.0f} mm; move the plane's origin closer")


@functools.lru_cache(maxsize=16)
def _constraints(vlim: tuple[float, ...], alim: tuple[float, ...]) -> list[Any]:
    """toppra's joint speed and acceleration constraints, made once per set of limits (they log as they are made)."""
    import toppra.constraint

    v, a = np.array(vlim), np.array(alim)
    return [toppra.constraint.JointVelocityConstraint(np.column_stack([-v, v])),
            toppra.constraint.JointAccelerationConstraint(np.column_stack([-a, a]))]


def _retime(q: np.ndarray, s: np.ndarray | None, v_joint: np.ndarray, a_joint: np.ndarray,
            speed: float, acceleration: float, dt: float) -> tuple[np.ndarray, np.ndarray]:
    """Times (K,) and samples (K, 3, 6) of the path ``q`` (M, 6), rest to rest, by TOPP-RA.

    ``s`` is the pen's arc length at each point (metres), appended to the path as a seventh
    coordinate whose speed and acceleration limits are the pen's; None for a joint move.
    """
    import toppra
    import toppra.algorithm
    import toppra.constraint

    if s is None:
        steps = np.r_[0.0, np.cumsum(np.abs(np.diff(q, axis=0)).max(axis=1))]
        waypoints, vlim, alim = q, v_joint, a_joint
    else:
        steps = s
        waypoints = np.column_stack([q, s])
        vlim, alim = np.r_[v_joint, speed], np.r_[a_joint, acceleration]
    total = float(steps[-1])
    if total <= 1e-12:
        return np.zeros(1), np.stack([q[:1], np.zeros((1, 6)), np.zeros((1, 6))], axis=1)
    ss = steps / total  # a path parameter in [0, 1]: toppra's tolerances suit it
    if len(ss) == 2:  # a straight line: a linear spline through its middle as well
        ss = np.r_[0.0, 0.5, 1.0]
        waypoints = np.stack([waypoints[0], waypoints.mean(axis=0), waypoints[1]])
    path = toppra.SplineInterpolator(ss, waypoints)
    constraints = _constraints(tuple(vlim), tuple(alim))
    grid = ss if len(ss) >= 20 else np.linspace(0.0, 1.0, 40)
    if len(grid) > 2000:  # long pen-down pieces: enough gridpoints for the limits, fewer to solve
        grid = np.interp(np.linspace(0, len(ss) - 1, 2000), np.arange(len(ss)), ss)
    instance = toppra.algorithm.TOPPRA(constraints, path, gridpoints=grid, parametrizer="ParametrizeConstAccel")
    trajectory = instance.compute_trajectory(0.0, 0.0)
    if trajectory is None:
        raise DrawingError("the joint limits leave no way to time this path (TOPP-RA found it infeasible)")
    duration = float(trajectory.duration)
    # TOPP-RA holds the limits at its gridpoints; a peak between two of them can pass a limit.
    # Where one does at a point written out, the whole piece is slowed down uniformly until none does.
    slower = 1.0
    for _ in range(5):
        t = np.r_[np.arange(0.0, duration * slower, dt), duration * slower]
        if len(t) > 1 and t[-1] - t[-2] < dt * 0.25:
            t = np.delete(t, -2)
        original = np.minimum(t / slower, duration)
        samples = np.stack([trajectory(original), trajectory(original, 1) / slower,
                            trajectory(original, 2) / slower**2], axis=1)
        over = max(float((np.abs(samples[:, 1]) / vlim).max()), math.sqrt(float((np.abs(samples[:, 2]) / alim).max())))
        if over <= 1.0:
            break
        slower *= over * 1.001
    samples = samples[:, :, :6]
    samples[0, 1:] = 0.0  # rest to rest
    samples[-1, 1:] = 0.0
    return t, samples


def _hold(q: np.ndarray, duration: float, dt: float) -> tuple[np.ndarray, np.ndarray]:
    t = np.r_[np.arange(0.0, duration, dt), duration]
    samples = np.zeros((len(t), 3, 6))
    samples[:, 0] = q
    return t, samples


def plan(
    drawing: Any,
    robot: str | Robot = "ur5e-table",
    *,
    speed: float | None = None,
    width: float | None = None,
    height: float | None = None,
    dt: float = DEFAULT_DT,
    robots_file: str | None = None,
    collisions: bool = True,
    **load_options: Any,
) -> JointTrajectory:
    """Plan ``drawing`` for ``robot``: the joint trajectory that draws it (see the module doc).

    Args:
        drawing: a :class:`~strokebot.drawing.Drawing`, or a file: a strokebot JSON trajectory, an
            SVG, or an image (traced with :func:`strokebot.trace`; ``load_options`` go there).
        robot: a robot profile name (``strokebot robots`` lists them) or a :class:`Robot`.
        speed: pen speed along the paper in mm/s (default: the profile's).
        width, height: fit the drawing to this size in mm first (an image: 60 mm wide by default).
        dt: seconds between the trajectory's points.
        robots_file: a TOML file of more robot profiles.
        collisions: check that the arm stays off the table and paper (the pen tip excepted).

    Raises:
        DrawingError: the arm cannot draw it: a point out of reach, near a singular pose, beyond a
            joint limit, or the arm touching the table; the message names the stroke and point.
        UsageError: a bad option, an unknown robot, or a drawing plane the pen cannot touch.
    """
    from strokebot_arm.sources import load_drawing
    from strokebot_arm.trajectory import JointTrajectory

    profile = get_robot(robot, robots_file)
    if speed is not None:
        if not (isinstance(speed, (int, float)) and not isinstance(speed, bool) and speed > 0 and math.isfinite(speed)):
            raise UsageError(f"pen speed must be a positive number of mm/s, got {speed!r}")
        profile = dataclasses.replace(profile, speed=float(speed) / 1000.0)
    if not (isinstance(dt, (int, float)) and 0.001 <= dt <= 0.1):
        raise UsageError(f"dt must be between 0.001 and 0.1 seconds, got {dt!r}")
    page = load_drawing(drawing, width=width, height=height, **load_options)
    if not page.strokes:
        raise DrawingError("the drawing has no strokes: nothing for the arm to draw")
    check_plane(profile)
    strokes = place(page)
    pieces = _pieces(strokes, profile)
    checker = None
    if collisions:
        from strokebot_arm.model import CollisionChecker

        checker = CollisionChecker(profile, pieces, strokes)
    branch, q_all = choose_branch(profile, pieces, strokes, checker)
    arm = profile.arm
    start = 0
    for piece in pieces:
        piece.q = q_all[start:start + len(piece.tip)]
        start += len(piece.tip)
    v_draw, a_draw = arm.speed_limits, arm.acceleration_limits
    for piece in pieces:
        if piece.kind in ("hold", "dwell"):
            piece.t, piece.samples = _hold(piece.q[0], piece.duration, dt)
            continue
        s = np.r_[0.0, np.cumsum(np.linalg.norm(np.diff(piece.tip, axis=0), axis=1))]
        try:
            piece.t, piece.samples = _retime(piece.q, s, v_draw, a_draw, piece.speed, piece.acceleration, dt)
        except DrawingError as error:
            raise DrawingError(f"{profile.name} cannot time {_where([piece], profile, 0)}: {error}") from None
        piece.duration = float(piece.t[-1])
    # Joint moves from home to the first point and back.
    v_joint, a_joint = arm.speed_limits * profile.joint_speed, arm.acceleration_limits * profile.joint_speed
    ends = []
    for a, b in ((profile.home, pieces[0].q[0]), (pieces[-1].q[-1], profile.home)):
        move = Piece("joint", np.empty((0, 3)), q=np.stack([a, b]))
        if checker is not None:
            checker.joint_move(move.q)
        move.t, move.samples = _retime(np.linspace(a, b, 8), None, v_joint, a_joint, 0, 0, dt)
        move.duration = float(move.t[-1])
        ends.append(move)
    pieces = [ends[0], *pieces, ends[1]]
    for piece in pieces:
        if piece.kind == "draw":
            piece.speeds = _corner_speeds(piece, arm)
    return JointTrajectory.from_pieces(profile, branch, pieces, strokes, page, dt=dt)


def _corner_speeds(piece: Piece, arm: Any) -> np.ndarray:
    """The planned pen speed (m/s) at each corner of a draw piece: the highest reached on the way to it."""
    tip_speed = np.linalg.norm(_tip_velocity(arm, piece.samples[:, 0], piece.samples[:, 1]), axis=1)
    s_samples = np.r_[0.0, np.cumsum(np.linalg.norm(np.diff(forward(arm.dh, piece.samples[:, 0])[:, :3, 3], axis=0), axis=1))]
    s_tip = np.r_[0.0, np.cumsum(np.linalg.norm(np.diff(piece.tip, axis=0), axis=1))]
    s_corners = s_tip[piece.corners] * (s_samples[-1] / s_tip[-1] if s_tip[-1] > 0 else 1.0)
    cut = np.searchsorted(s_samples, s_corners)
    peaks = [float(tip_speed[a:max(b, a + 1)].max()) for a, b in zip(np.r_[0, cut[:-1]], cut, strict=True)]
    return np.array(peaks)


def _tip_velocity(arm: Any, q: np.ndarray, qd: np.ndarray) -> np.ndarray:
    from strokebot_arm.kinematics import jacobian

    return np.einsum("nij,nj->ni", jacobian(arm.dh, q)[:, :3], qd)
