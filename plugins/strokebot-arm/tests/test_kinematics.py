"""The DH forward kinematics and the closed-form inverse, against the UR5e's known poses and each other."""

from __future__ import annotations

import numpy as np
import pytest
from strokebot_arm.kinematics import BRANCHES, forward, inverse, jacobian, singularities
from strokebot_arm.robots import get_robot

DH = get_robot("ur5e-table").arm.dh


def test_zero_pose_is_the_ur5e_stretched_out():
    # All joints at 0: the arm lies along -x, offset by the wrist links (Universal Robots' DH frames).
    pose = forward(DH, np.zeros((1, 6)))[0]
    assert pose[:3, 3] == pytest.approx([-0.425 - 0.3922, -0.1333 - 0.0996, 0.1625 - 0.0997], abs=1e-12)


def test_every_branch_solves_back_to_the_pose_and_one_is_the_original():
    rng = np.random.default_rng(1)
    q = rng.uniform(-np.pi, np.pi, (500, 6))
    poses = forward(DH, q)
    recovered = np.zeros(len(q), bool)
    for branch in BRANCHES:
        result = inverse(DH, poses, branch)
        ok = result.reachable
        assert ok.mean() > 0.5
        assert np.abs(forward(DH, result.q[ok]) - poses[ok]).max() < 1e-9
        difference = np.abs((result.q - q + np.pi) % (2 * np.pi) - np.pi).max(axis=1)
        recovered |= ok & (difference < 1e-7)
    assert recovered.all()


def test_out_of_reach_says_by_how_much():
    pose = forward(DH, np.zeros((1, 6)))
    pose[0, :3, 3] *= 1.5  # half as far again as stretched out
    result = inverse(DH, pose, BRANCHES[0])
    assert not result.reachable[0] and np.isnan(result.q[0]).all()
    assert result.excess[0] > 0.2


def test_jacobian_matches_finite_differences():
    rng = np.random.default_rng(2)
    q = rng.uniform(-np.pi, np.pi, (5, 6))
    jac = jacobian(DH, q)
    step = 1e-6
    for j in range(6):
        dq = np.zeros(6)
        dq[j] = step
        moved = (forward(DH, q + dq)[:, :3, 3] - forward(DH, q - dq)[:, :3, 3]) / (2 * step)
        assert np.abs(jac[:, :3, j] - moved).max() < 1e-6


def test_singularity_measures_are_zero_at_the_singular_poses():
    q = np.array([[0.3, -1.0, 1.2, -1.0, 0.0, 0.5], [0.3, -1.0, 0.0, -1.0, 1.0, 0.5]])
    margins = singularities(DH, q)
    assert margins["wrist"][0] == pytest.approx(0.0, abs=1e-12) and margins["wrist"][1] > 0.5
    assert margins["elbow"][1] == pytest.approx(0.0, abs=1e-12) and margins["elbow"][0] > 0.5
