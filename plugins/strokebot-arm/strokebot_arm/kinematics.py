"""Kinematics of a six-joint arm of the Universal Robots kind, from its Denavit-Hartenberg parameters.

numpy only, vectorised over many poses at once: a whole drawing's points go through one call.

The arm is described by standard DH parameters (``a``, ``d``, ``alpha`` per joint; a joint's frame
is ``Rz(q) Tz(d) Tx(a) Rx(alpha)`` after the previous one), the convention Universal Robots
publishes its arms in. :func:`forward` gives the flange pose; :func:`inverse` gives the closed-form
solutions of the UR geometry (three parallel middle axes, a shoulder offset and an offset wrist):
eight branches, named by three signs:

- ``shoulder``: which side of the base axis the upper arm swings on (the two solutions of joint 1),
- ``wrist``: the sign of joint 5 (the wrist "flipped" or not),
- ``elbow``: the sign of joint 3 (elbow up or down, given the shoulder).

A branch is continuous as long as the path stays away from the singular poses where two branches
meet, which :func:`singularities` measures: the wrist (joint 5 near 0 or 180°: the first and last
wrist axes line up), the elbow (joint 3 near 0: the arm stretched to the edge of its reach) and the
shoulder (the wrist centre near the plane through the base axis and the shoulder axis).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

__all__ = ["DH", "Branch", "BRANCHES", "forward", "forward_all", "inverse", "IKResult", "singularities", "jacobian"]


@dataclass(frozen=True)
class DH:
    """Standard Denavit-Hartenberg parameters of a six-joint arm, in metres and radians."""

    a: tuple[float, ...]
    d: tuple[float, ...]
    alpha: tuple[float, ...]

    def __post_init__(self) -> None:
        for name in ("a", "d", "alpha"):
            if len(getattr(self, name)) != 6:
                raise ValueError(f"DH {name} needs 6 values, got {len(getattr(self, name))}")

    @property
    def reach(self) -> float:
        """An upper bound of the distance from the shoulder to the flange (metres)."""
        return float(abs(self.a[1]) + abs(self.a[2]) + np.hypot(self.d[4], self.d[5]) + abs(self.d[3]))


class Branch(NamedTuple):
    """One of the eight inverse-kinematics branches: each sign is +1 or -1."""

    shoulder: int
    wrist: int
    elbow: int

    def __str__(self) -> str:
        return (f"shoulder {'left' if self.shoulder > 0 else 'right'}, wrist {'up' if self.wrist > 0 else 'down'}, "
                f"elbow {'up' if self.elbow > 0 else 'down'}")


BRANCHES = tuple(Branch(s, w, e) for s in (1, -1) for w in (1, -1) for e in (1, -1))


def _link(q: np.ndarray, a: float, d: float, alpha: float) -> np.ndarray:
    """(N, 4, 4) homogeneous transforms of one DH link for joint angles ``q`` (N,)."""
    c, s = np.cos(q), np.sin(q)
    ca, sa = np.cos(alpha), np.sin(alpha)
    t = np.zeros((len(q), 4, 4))
    t[:, 0, 0], t[:, 0, 1], t[:, 0, 2], t[:, 0, 3] = c, -s * ca, s * sa, a * c
    t[:, 1, 0], t[:, 1, 1], t[:, 1, 2], t[:, 1, 3] = s, c * ca, -c * sa, a * s
    t[:, 2, 1], t[:, 2, 2], t[:, 2, 3] = sa, ca, d
    t[:, 3, 3] = 1.0
    return t


def forward_all(dh: DH, q: np.ndarray) -> np.ndarray:
    """(N, 7, 4, 4): the base and each joint's frame (1 to 6, the flange) for joint angles ``q`` (N, 6)."""
    q = np.atleast_2d(np.asarray(q, dtype=np.float64))
    frames = np.empty((len(q), 7, 4, 4))
    frames[:, 0] = np.eye(4)
    for i in range(6):
        frames[:, i + 1] = frames[:, i] @ _link(q[:, i], dh.a[i], dh.d[i], dh.alpha[i])
    return frames


def forward(dh: DH, q: np.ndarray) -> np.ndarray:
    """(N, 4, 4): the flange pose in the base frame for joint angles ``q`` (N, 6)."""
    q = np.atleast_2d(np.asarray(q, dtype=np.float64))
    pose = np.broadcast_to(np.eye(4), (len(q), 4, 4)).copy()
    for i in range(6):
        pose = pose @ _link(q[:, i], dh.a[i], dh.d[i], dh.alpha[i])
    return pose


def jacobian(dh: DH, q: np.ndarray) -> np.ndarray:
    """(N, 6, 6) geometric Jacobian of the flange (rows: linear, then angular velocity) at ``q`` (N, 6)."""
    frames = forward_all(dh, q)
    tip = frames[:, 6, :3, 3]
    axes = frames[:, :6, :3, 2]  # joint i turns about the z axis of frame i-1
    origins = frames[:, :6, :3, 3]
    jac = np.empty((len(frames), 6, 6))
    jac[:, :3, :] = np.cross(axes, tip[:, None, :] - origins).transpose(0, 2, 1)
    jac[:, 3:, :] = axes.transpose(0, 2, 1)
    return jac


class IKResult(NamedTuple):
    """Joint angles of one branch for N flange poses, with why a pose has no solution.

    ``q`` is (N, 6), in (-pi, pi]; rows where ``reachable`` is False hold NaN. ``excess`` says by
    how much (metres, or a unitless cosine excess for the wrist) the pose is out of reach.
    """

    q: np.ndarray
    reachable: np.ndarray
    excess: np.ndarray


def inverse(dh: DH, poses: np.ndarray, branch: Branch) -> IKResult:
    """Joint angles of ``branch`` putting the flange at ``poses`` (N, 4, 4), in closed form.

    The solution follows the geometry of UR arms (Universal Robots' DH parameters have a1 = a4 =
    a5 = a6 = 0, d2 = d3 = 0, alpha = (90°, 0, 0, 90°, -90°, 0)): the wrist centre fixes joint 1,
    the flange's offset along the shoulder axis fixes joint 5, the flange's orientation joint 6,
    and joints 2 to 4 form a planar arm.
    """
    poses = np.asarray(poses, dtype=np.float64).reshape(-1, 4, 4)
    a2, a3 = dh.a[1], dh.a[2]
    d1, d4, d6 = dh.d[0], dh.d[3], dh.d[5]
    n = len(poses)
    p06 = poses[:, :3, 3]
    z6 = poses[:, :3, 2]
    p05 = p06 - d6 * z6
    radius = np.hypot(p05[:, 0], p05[:, 1])
    excess = np.zeros(n)
    with np.errstate(invalid="ignore", divide="ignore"):
        # Joint 1: the wrist centre lies d4 off the plane of the upper arm.
        cos_phi = d4 / radius
        excess = np.maximum(excess, d4 - radius)
        phi = np.arccos(np.clip(cos_phi, -1.0, 1.0))
        q1 = np.arctan2(p05[:, 1], p05[:, 0]) + branch.shoulder * phi + np.pi / 2
        s1, c1 = np.sin(q1), np.cos(q1)
        # Joint 5: the flange's offset along the shoulder axis is d4 + d6 cos(q5).
        cos5 = (p06[:, 0] * s1 - p06[:, 1] * c1 - d4) / d6
        excess = np.maximum(excess, (np.abs(cos5) - 1.0) * d6)
        q5 = branch.wrist * np.arccos(np.clip(cos5, -1.0, 1.0))
        s5 = np.sin(q5)
        # Joint 6: from the flange's x and y axes seen along the shoulder axis.
        x6, y6 = poses[:, :3, 0], poses[:, :3, 1]
        along_x = x6[:, 0] * s1 - x6[:, 1] * c1
        along_y = y6[:, 0] * s1 - y6[:, 1] * c1
        q6 = np.where(np.abs(s5) > 1e-12, np.arctan2(-along_y / s5, along_x / s5), 0.0)
        # Joints 2, 3, 4: a planar two-link arm to the origin of frame 4, in frame 1.
        t01 = _link(q1, 0.0, d1, dh.alpha[0])
        t45 = _link(q5, 0.0, dh.d[4], dh.alpha[4])
        t56 = _link(q6, 0.0, d6, dh.alpha[5])
        t14 = np.linalg.inv(t01) @ poses @ np.linalg.inv(t45 @ t56)
        px, py = t14[:, 0, 3], t14[:, 1, 3]
        span = np.hypot(px, py)
        cos3 = (span**2 - a2**2 - a3**2) / (2 * a2 * a3)
        excess = np.maximum(excess, span - abs(a2 + a3) if a2 * a3 > 0 else span - abs(abs(a2) + abs(a3)))
        excess = np.maximum(excess, abs(abs(a2) - abs(a3)) - span)
        q3 = branch.elbow * np.arccos(np.clip(cos3, -1.0, 1.0))
        q2 = np.arctan2(-py, -px) + np.arcsin(np.clip(a3 * np.sin(q3) / span, -1.0, 1.0))
        t12 = _link(q2, a2, 0.0, dh.alpha[1])
        t23 = _link(q3, a3, 0.0, dh.alpha[2])
        t34 = np.linalg.inv(t12 @ t23) @ t14
        q4 = np.arctan2(t34[:, 1, 0], t34[:, 0, 0])
    q = np.stack([q1, q2, q3, q4, q5, q6], axis=1)
    q = (q + np.pi) % (2 * np.pi) - np.pi
    reachable = np.isfinite(q).all(axis=1) & (excess <= 1e-12)
    q[~reachable] = np.nan
    return IKResult(q=q, reachable=reachable, excess=excess)


def singularities(dh: DH, q: np.ndarray) -> dict[str, np.ndarray]:
    """How far each of ``q`` (N, 6) is from the three singular poses, each 0 at the singularity.

    ``wrist``: |sin q5| (0: joints 4 and 6 turn about one line); ``elbow``: |sin q3| (0: the arm is
    stretched straight or folded); ``shoulder``: the wrist centre's distance from the plane through
    the base axis and the shoulder axis, in metres (0: joint 1 cannot move it sideways).
    """
    q = np.atleast_2d(q)
    frames = forward_all(dh, q)
    wrist_centre = frames[:, 5, :3, 3]
    s1, c1 = np.sin(q[:, 0]), np.cos(q[:, 0])
    # The plane holds the base z axis and the shoulder axis (z1); its normal is the arm's
    # radial direction in the horizontal plane, (c1, s1, 0).
    shoulder = np.abs(wrist_centre[:, 0] * c1 + wrist_centre[:, 1] * s1)
    return {"wrist": np.abs(np.sin(q[:, 4])), "elbow": np.abs(np.sin(q[:, 2])), "shoulder": shoulder}
