"""strokebot-arm: drawings for robot arms, planned for a real arm model and replayed in MuJoCo first.

>>> import strokebot_arm                                            # doctest: +SKIP
>>> plan = strokebot_arm.plan("word.png", robot="ur5e-table")      # traced, 60 mm wide
>>> plan.to_urscript("word.script"); plan.to_json("word.joints.json")
>>> result = plan.simulate()
>>> print(result.line())          # tracking error, pen-down time, fastest joint

Names are imported on first use: ``import strokebot_arm`` does not import MuJoCo or toppra.
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING, Any

# MuJoCo picks its OpenGL backend when it is first imported; the arm's renders are offscreen, so
# EGL unless the user chose (MUJOCO_GL=osmesa for software rendering without EGL).
os.environ.setdefault("MUJOCO_GL", "egl")

__version__ = "0.1.0"

_EXPORTS = {
    "plan": "strokebot_arm.planning",
    "JointTrajectory": "strokebot_arm.trajectory",
    "read_joint_trajectory": "strokebot_arm.trajectory",
    "Robot": "strokebot_arm.robots",
    "Arm": "strokebot_arm.robots",
    "get_robot": "strokebot_arm.robots",
    "load_robots": "strokebot_arm.robots",
    "Simulation": "strokebot_arm.simulation",
    "simulate": "strokebot_arm.simulation",
    "load_drawing": "strokebot_arm.sources",
}

__all__ = sorted(_EXPORTS) + ["__version__"]

if TYPE_CHECKING:
    from strokebot_arm.planning import plan  # noqa: F401
    from strokebot_arm.robots import Arm, Robot, get_robot, load_robots  # noqa: F401
    from strokebot_arm.simulation import Simulation, simulate  # noqa: F401
    from strokebot_arm.sources import load_drawing  # noqa: F401
    from strokebot_arm.trajectory import JointTrajectory, read_joint_trajectory  # noqa: F401


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'strokebot_arm' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
