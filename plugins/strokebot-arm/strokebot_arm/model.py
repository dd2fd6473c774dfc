"""The arm as a MuJoCo model, written from the robot profile: DH frames, simple shapes, a spring-loaded pen.

Each link is a body whose frame is its DH frame turned by its joint; its shape is a capsule along
the DH link (``d`` along the joint axis, then ``a`` across it) and a cylinder round the joint (the
motor housing); masses and centres of mass are the maker's. These are simple collision shapes,
not the arm's outer shell: they are a few centimetres generous where the real arm is slimmer.

The pen sits in a holder on the flange, on a slide joint along the tool axis: a spring (a
position servo of the holder's stiffness, 1 N per mm, critically damped so that the pen does not
bounce when it lands) pushes it out to its stop, the paper pushes it back up to ``pen_travel``. With ``pen_control = "digital-output"`` the same servo is the lifter that
retracts it by ``lift``. The paper is a board on the drawing plane; the arm's base stands on a
floor through its own origin.

Every arm joint has a position servo with the profile's stiffness and damping, torque-limited to
the arm's published joint torques, and a motor for the controller's feed-forward torque
(:mod:`strokebot_arm.simulation` computes it by inverse dynamics, as an arm's controller does).
Shapes collide with the board and floor only, never with each other.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from strokebot_arm.robots import Robot

if TYPE_CHECKING:
    from strokebot_arm.planning import Piece

__all__ = ["mjcf", "build", "load_mujoco", "render_error", "CollisionChecker", "TIMESTEP", "PEN_STIFFNESS"]

#: Simulation step (s): UR e-Series controllers run at 500 Hz.
TIMESTEP = 0.002
#: The pen holder's spring (N/m): 1 mm pressed into the paper pushes with 1 N.
PEN_STIFFNESS = 1000.0
_PEN_MASS = 0.02
_BOARD = (0.35, 0.3, 0.01)  # half sizes (m) of the board under the paper
_LINK_NAMES = ("shoulder", "upper_arm", "forearm", "wrist_1", "wrist_2", "wrist_3")


def _f(values: Any) -> str:
    return " ".join(f"{float(v):.6g}" for v in np.atleast_1d(values))


def _quat(rotation: np.ndarray) -> np.ndarray:
    """A unit quaternion (w, x, y, z) of a rotation matrix."""
    m = rotation
    w = math.sqrt(max(0.0, 1.0 + m[0, 0] + m[1, 1] + m[2, 2])) / 2
    x = math.copysign(math.sqrt(max(0.0, 1.0 + m[0, 0] - m[1, 1] - m[2, 2])) / 2, m[2, 1] - m[1, 2])
    y = math.copysign(math.sqrt(max(0.0, 1.0 - m[0, 0] + m[1, 1] - m[2, 2])) / 2, m[0, 2] - m[2, 0])
    z = math.copysign(math.sqrt(max(0.0, 1.0 - m[0, 0] - m[1, 1] + m[2, 2])) / 2, m[1, 0] - m[0, 1])
    q = np.array([w, x, y, z])
    return q / np.linalg.norm(q)


def _fixed(a: float, d: float, alpha: float) -> np.ndarray:
    """Tz(d) Tx(a) Rx(alpha): the part of a DH link after its joint's turn."""
    ca, sa = math.cos(alpha), math.sin(alpha)
    return np.array([[1, 0, 0, a], [0, ca, -sa, 0], [0, sa, ca, d], [0, 0, 0, 1]], dtype=float)


def mjcf(robot: Robot) -> str:
    """The MJCF (MuJoCo XML) text of ``robot``'s arm, pen, paper and floor."""
    arm = robot.arm
    dh = arm.dh
    lines: list[str] = []
    out = lines.append
    out(f'<mujoco model="{robot.name}">')
    out(f'  <option timestep="{TIMESTEP}" integrator="implicitfast" cone="elliptic"/>')
    out('  <compiler angle="radian" autolimits="true"/>')
    out('  <visual><global offwidth="1600" offheight="1200"/><quality shadowsize="4096"/></visual>')
    out("  <default>")
    out('    <geom contype="1" conaffinity="0" rgba="0.72 0.75 0.78 1" friction="0.3 0.005 0.0001"/>')
    out('    <default class="env"><geom contype="0" conaffinity="1"/></default>')
    out('    <default class="look"><geom contype="0" conaffinity="0" group="1"/></default>')
    out("  </default>")
    out("  <asset>")
    out('    <texture name="grid" type="2d" builtin="checker" rgb1="0.86 0.84 0.8" rgb2="0.8 0.78 0.74" width="256" height="256"/>')
    out('    <material name="floor" texture="grid" texrepeat="8 8"/>')
    out('    <texture type="skybox" builtin="gradient" rgb1="0.93 0.94 0.96" rgb2="0.62 0.66 0.72" width="256" height="256"/>')
    out("  </asset>")
    out("  <worldbody>")
    out('    <light pos="0.6 -1.2 2.2" dir="-0.3 0.5 -1" diffuse="0.8 0.8 0.8"/>')
    out('    <light pos="-1 1 2" dir="0.4 -0.4 -1" diffuse="0.35 0.35 0.35" castshadow="false"/>')
    # The floor the base stands on, a millimetre low so that a board on the same level shows.
    out('    <geom name="floor" class="env" type="plane" pos="0 0 -0.001" size="1.5 1.5 0.05" material="floor"/>')
    rotation = np.stack([robot.x_axis, -robot.y_axis, robot.normal], axis=1)  # page y down -> board y up
    board_centre = robot.origin - _BOARD[2] * robot.normal
    out(f'    <body name="paper" pos="{_f(board_centre)}" quat="{_f(_quat(rotation))}">')
    out(f'      <geom name="board" class="env" type="box" size="{_f(_BOARD)}" rgba="0.55 0.42 0.3 1"/>')
    out(f'      <geom name="sheet" class="look" type="box" size="{_f([0.105, 0.1485, 0.0002])}" pos="0 0 {_BOARD[2]:.6g}" rgba="0.98 0.98 0.96 1"/>')
    out("    </body>")
    out(f'    <geom name="base" class="look" type="cylinder" size="{arm.base_radius:.6g} {arm.base_height / 2:.6g}" '
        f'pos="0 0 {arm.base_height / 2:.6g}" rgba="0.3 0.33 0.36 1"/>')
    depth = 0
    placement = np.eye(4)
    for i in range(6):
        radius = float(arm.link_radii[i])
        fixed = _fixed(dh.a[i], dh.d[i], dh.alpha[i])
        com = (fixed @ np.r_[arm.centres_of_mass[i], 1.0])[:3]
        length = max(abs(dh.a[i]) + abs(dh.d[i]), 2 * radius)
        inertia = float(arm.masses[i]) * (length**2 / 12 + radius**2 / 2)
        indent = "    " + "  " * depth
        out(f'{indent}<body name="{_LINK_NAMES[i]}" pos="{_f(placement[:3, 3])}" quat="{_f(_quat(placement[:3, :3]))}">')
        out(f'{indent}  <joint name="{arm.joint_names[i]}" type="hinge" axis="0 0 1" range="{_f([-arm.position_limits[i], arm.position_limits[i]])}" '
            f'armature="{arm.armature[i]:.6g}" damping="0.5"/>')
        out(f'{indent}  <inertial pos="{_f(com)}" mass="{arm.masses[i]:.6g}" diaginertia="{_f([inertia] * 3)}"/>')
        if i > 0:
            out(f'{indent}  <geom name="{_LINK_NAMES[i]}_joint" type="cylinder" size="{radius:.6g} {radius * 1.1:.6g}" rgba="0.25 0.45 0.7 1"/>')
        if abs(dh.d[i]) > 1e-9:
            bottom = arm.base_height + radius if i == 0 else 0.0  # the shoulder stands on the base
            out(f'{indent}  <geom name="{_LINK_NAMES[i]}_column" type="capsule" size="{radius * 0.9:.6g}" fromto="0 0 {bottom:.6g} 0 0 {dh.d[i]:.6g}"/>')
        if abs(dh.a[i]) > 1e-9:
            out(f'{indent}  <geom name="{_LINK_NAMES[i]}_link" type="capsule" size="{radius * 0.9:.6g}" '
                f'fromto="0 0 {dh.d[i]:.6g} {dh.a[i]:.6g} 0 {dh.d[i]:.6g}"/>')
        placement = fixed
        depth += 1
    indent = "    " + "  " * depth
    holder = max(robot.pen_length - 0.06, 0.4 * robot.pen_length)  # the holder, then the pen sticking out of it
    out(f'{indent}<body name="tool" pos="{_f(placement[:3, 3])}" quat="{_f(_quat(placement[:3, :3]))}">')
    out(f'{indent}  <site name="flange" size="0.005"/>')
    out(f'{indent}  <inertial pos="0 0 {holder / 2:.6g}" mass="0.25" diaginertia="2e-4 2e-4 5e-5"/>')
    out(f'{indent}  <geom name="holder" type="cylinder" size="0.012 {holder / 2:.6g}" pos="0 0 {holder / 2:.6g}" rgba="0.2 0.2 0.22 1"/>')
    out(f'{indent}  <body name="pen">')
    out(f'{indent}    <joint name="pen_slide" type="slide" axis="0 0 1" range="{-robot.pen_travel - robot.lift:.6g} 0" damping="10"/>')
    out(f'{indent}    <inertial pos="0 0 {robot.pen_length - 0.04:.6g}" mass="{_PEN_MASS}" diaginertia="1e-5 1e-5 1e-6"/>')
    out(f'{indent}    <geom name="pen_shaft" type="capsule" size="0.0045" fromto="0 0 {max(holder - 0.02, 0.0):.6g} 0 0 {robot.pen_length - 0.008:.6g}" rgba="0.1 0.3 0.8 1"/>')
    out(f'{indent}    <geom name="pen_cone" class="look" type="capsule" size="0.0015" fromto="0 0 {robot.pen_length - 0.008:.6g} 0 0 {robot.pen_length - 0.0005:.6g}" rgba="0.1 0.1 0.1 1"/>')
    out(f'{indent}    <geom name="pen_tip" type="sphere" size="0.0005" pos="0 0 {robot.pen_length - 0.0005:.6g}" rgba="0.05 0.05 0.05 1" friction="0.2 0.005 0.0001"/>')
    out(f'{indent}    <site name="tip" size="0.0015" pos="0 0 {robot.pen_length:.6g}"/>')
    out(f"{indent}  </body>")
    out(f"{indent}</body>")
    for depth in range(6, 0, -1):
        out("    " + "  " * (depth - 1) + "</body>")
    out("  </worldbody>")
    out("  <actuator>")
    for i, name in enumerate(arm.joint_names):
        limit = float(arm.torque_limits[i])
        out(f'    <position name="servo_{i + 1}" joint="{name}" kp="{arm.servo_kp[i]:.6g}" kv="{arm.servo_kv[i]:.6g}" '
            f'forcerange="{-limit:.6g} {limit:.6g}" ctrlrange="{_f([-arm.position_limits[i] - 1, arm.position_limits[i] + 1])}"/>')
    for i, name in enumerate(arm.joint_names):
        limit = float(arm.torque_limits[i])
        out(f'    <motor name="feedforward_{i + 1}" joint="{name}" ctrlrange="{-limit:.6g} {limit:.6g}"/>')
    out(f'    <position name="pen_spring" joint="pen_slide" kp="{PEN_STIFFNESS:.6g}" ctrlrange="{-robot.pen_travel - robot.lift:.6g} 0"/>')
    out("  </actuator>")
    out("  <sensor>")
    out('    <touch name="pen_force" site="tip"/>')
    out('    <framepos name="tip_position" objtype="site" objname="tip"/>')
    for i, name in enumerate(arm.joint_names):
        out(f'    <jointvel name="speed_{i + 1}" joint="{name}"/>')
    out('    <jointpos name="pen_position" joint="pen_slide"/>')
    out("  </sensor>")
    out("</mujoco>")
    return "\n".join(lines) + "\n"


_render_error: str | None = None


def load_mujoco() -> Any:
    """The ``mujoco`` module. MuJoCo loads its OpenGL backend (``MUJOCO_GL``) as it is imported, and
    fails to import where that backend's libraries are missing; then it is imported again with
    rendering off, so that planning and simulation still work, and :func:`render_error` says why."""
    global _render_error
    try:
        import mujoco
        import mujoco.rollout  # noqa: F401
    except Exception as error:  # the GL backend's loader fails in several ways (ImportError, AttributeError, OSError)
        backend = os.environ.get("MUJOCO_GL", "")
        if backend.lower() in ("disable", "disabled", "off", "false", "0"):
            raise
        for name in [n for n in sys.modules if n == "mujoco" or n.startswith(("mujoco.", "OpenGL"))]:
            del sys.modules[name]
        os.environ["MUJOCO_GL"] = "disable"
        _render_error = f"MUJOCO_GL={backend} cannot load ({type(error).__name__}: {error})"
        import mujoco
        import mujoco.rollout  # noqa: F401
    return mujoco


def render_error() -> str | None:
    """Why MuJoCo was imported without rendering, or None."""
    return _render_error


def build(robot: Robot) -> Any:
    """The compiled ``mujoco.MjModel`` of ``robot``."""
    mujoco = load_mujoco()
    return mujoco.MjModel.from_xml_string(mjcf(robot))


class CollisionChecker:
    """Checks that the arm, holder and pen shaft keep off the board and floor along a plan.

    Called by :func:`strokebot_arm.planning.choose_branch` with a branch's joint angles; returns
    None, or (index of the first point in contact, what touches what).
    """

    def __init__(self, robot: Robot, pieces: Sequence[Piece], strokes: Sequence[np.ndarray]) -> None:
        mujoco = load_mujoco()

        self.robot = robot
        self.model = build(robot)
        self.data = mujoco.MjData(self.model)
        self.pieces, self.strokes = pieces, strokes
        names = [mujoco.mj_id2name(self.model, mujoco.mjtObj.mjOBJ_GEOM, g) for g in range(self.model.ngeom)]
        self.names = names
        self.allowed = {names.index("pen_tip")}

    def touching(self, q: np.ndarray) -> str | None:
        mujoco = load_mujoco()

        self.data.qpos[:6] = q
        self.data.qpos[6] = 0.0
        mujoco.mj_fwdPosition(self.model, self.data)
        for contact in self.data.contact[: self.data.ncon]:
            g1, g2 = int(contact.geom1), int(contact.geom2)
            if g1 in self.allowed or g2 in self.allowed:
                continue
            arm_geom = g1 if self.model.geom_contype[g1] else g2
            other = g2 if arm_geom == g1 else g1
            return f"the arm's {self.names[arm_geom].replace('_', ' ')} would touch the {self.names[other]}"
        return None

    def __call__(self, q: np.ndarray) -> tuple[int, str] | None:
        for i in range(len(q)):
            hit = self.touching(q[i])
            if hit is not None:
                return i, hit
        return None

    def joint_move(self, ends: np.ndarray) -> None:
        """Refuse a joint move (from or back to home) along which the arm would touch the board or floor.

        Raises:
            DrawingError: naming the move and what touches.
        """
        from strokebot.errors import DrawingError

        span = float(np.abs(ends[1] - ends[0]).max())
        for f in np.linspace(0.0, 1.0, max(2, int(span / 0.02) + 1)):
            hit = self.touching(ends[0] + f * (ends[1] - ends[0]))
            if hit is not None:
                raise DrawingError(f"{self.robot.name}: on the joint move between home and the drawing, {hit}; "
                                   "change the profile's home posture")
