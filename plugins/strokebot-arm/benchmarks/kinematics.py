"""strokebot-arm's own DH kinematics against Pinocchio (``pin``), on the UR5e.

    python plugins/strokebot-arm/benchmarks/kinematics.py      # Pinocchio's column with pin installed

2,000 random joint configurations: forward kinematics and the flange Jacobian, microseconds per
pose (strokebot-arm's vectorised over all poses at once, Pinocchio's called per pose from Python,
as a planner calls it), the largest difference between the two, and the closed-form inverse
kinematics (Pinocchio has none: it would iterate on the Jacobian), per pose and branch.
"""

from __future__ import annotations

import time

import numpy as np
from strokebot_arm.kinematics import BRANCHES, forward, inverse, jacobian
from strokebot_arm.robots import get_robot


def per_pose(function, count: int, repeat: int = 5) -> float:
    best = np.inf
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best / count * 1e6


def main() -> None:
    dh = get_robot("ur5e-table").arm.dh
    q = np.random.default_rng(0).uniform(-np.pi, np.pi, (2000, 6))
    poses = forward(dh, q)
    print("| per pose, µs | strokebot-arm (numpy) | Pinocchio |")
    print("| --- | --- | --- |")
    own = {"forward kinematics": per_pose(lambda: forward(dh, q), len(q)),
           "Jacobian": per_pose(lambda: jacobian(dh, q), len(q)),
           "inverse kinematics, one branch": per_pose(lambda: inverse(dh, poses, BRANCHES[0]), len(q))}
    theirs: dict[str, str] = {}
    try:
        import pinocchio as pin
    except ImportError:
        pin = None
    if pin is not None:
        model = pin.Model()
        parent, placement = 0, pin.SE3.Identity()
        for i in range(6):
            joint = model.addJoint(parent, pin.JointModelRZ(), placement, f"joint_{i + 1}")
            model.appendBodyToJoint(joint, pin.Inertia.Random(), pin.SE3.Identity())
            placement = pin.SE3(pin.utils.rotate("x", dh.alpha[i]), np.array([dh.a[i], 0.0, dh.d[i]]))
            parent = joint
        flange = model.addFrame(pin.Frame("flange", parent, 0, placement, pin.FrameType.OP_FRAME))
        data = model.createData()

        def pin_forward():
            out = np.empty((len(q), 4, 4))
            for k, qk in enumerate(q):
                pin.framesForwardKinematics(model, data, qk)
                out[k] = data.oMf[flange].homogeneous
            return out

        def pin_jacobian():
            for qk in q:
                pin.computeFrameJacobian(model, data, qk, flange, pin.LOCAL_WORLD_ALIGNED)

        difference = np.abs(pin_forward() - poses).max()
        theirs = {"forward kinematics": f"{per_pose(pin_forward, len(q)):.2f} (differs by {difference:.1e} m at most)",
                  "Jacobian": f"{per_pose(pin_jacobian, len(q)):.2f}", "inverse kinematics, one branch": "none in closed form"}
    for key, value in own.items():
        print(f"| {key} | {value:.2f} | {theirs.get(key, 'not installed')} |")


if __name__ == "__main__":
    main()
