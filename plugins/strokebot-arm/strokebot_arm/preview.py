"""The simulation's preview picture: the simulated pen's path over the glyph, and the arm at work.

Left: the page at the strokes' scale, the glyph image faint behind (when the drawing was traced
from one), the planned strokes in light grey, and the ink the simulated pen left: dark blue where
it is within the tolerance of the strokes, red where not; stroke points the pen missed are red
rings. Right: an offscreen render of the arm at two thirds of the drawing, the ink so far on the
paper. The render needs OpenGL without a screen: MuJoCo's EGL (``MUJOCO_GL=egl``, Debian packages
``libegl1 libgl1-mesa-dri``) or OSMesa (``MUJOCO_GL=osmesa``, ``libosmesa6``); without either
the picture has the left panel only and :func:`preview` says why.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image, ImageDraw

if TYPE_CHECKING:
    from strokebot_arm.simulation import Simulation

__all__ = ["preview", "render_arm", "RenderUnavailable"]

_PANEL = 600
_INK = (20, 50, 160)
_BAD = (220, 30, 30)


class RenderUnavailable(RuntimeError):
    """No offscreen OpenGL for MuJoCo's renderer; the message says what to install."""


def _page_panel(sim: Simulation, glyph: Image.Image | None) -> Image.Image:
    trajectory = sim.trajectory
    page = trajectory.page
    scale = (_PANEL - 40) / max(page.width, page.height)
    width, height = int(page.width * scale) + 40, int(page.height * scale) + 40
    panel = Image.new("RGB", (width, height), "white")
    if glyph is not None:
        faint = glyph.convert("L").resize((width - 40, height - 40))
        faint = faint.point(lambda v: 255 - (255 - v) * 0.3)
        panel.paste(Image.merge("RGB", [faint] * 3), (20, 20))
    draw = ImageDraw.Draw(panel)
    centre = np.array([page.width / 2, page.height / 2])

    def xy(points_mm: np.ndarray) -> list[tuple[float, float]]:
        pixels = (points_mm + centre) * scale + 20
        return [tuple(p) for p in pixels.tolist()]

    pen = max(1, int(round(scale * 0.25)))
    for stroke in trajectory.strokes:
        if len(stroke) > 1:
            draw.line(xy(stroke), fill=(205, 205, 205), width=pen * 2, joint="curve")
    from strokebot_arm.simulation import ink_lines

    bad = sim.ink_error > sim.tolerance
    for line in ink_lines(sim.ink, sim.ink_time):
        if len(line) > 1:
            draw.line(xy(line), fill=_INK, width=pen, joint="curve")
    for x, y in xy(sim.ink[bad]) if bad.any() else []:
        draw.ellipse([x - pen, y - pen, x + pen, y + pen], fill=_BAD)
    for x, y in xy(sim.missed[:: max(1, len(sim.missed) // 400)]) if len(sim.missed) else []:
        draw.ellipse([x - 3, y - 3, x + 3, y + 3], outline=_BAD)
    return panel


def render_arm(sim: Simulation, *, at: float = 2 / 3, size: tuple[int, int] = (_PANEL, _PANEL)) -> Image.Image:
    """An offscreen render of the simulated arm ``at`` this share of the drawing, with the ink so far.

    Raises:
        RenderUnavailable: no EGL or OSMesa for MuJoCo (the message says what to install).
    """
    os.environ.setdefault("MUJOCO_GL", "egl")
    from strokebot_arm.model import build, load_mujoco, render_error

    mujoco = load_mujoco()
    if render_error() is not None:
        raise RenderUnavailable(f"no offscreen OpenGL for the arm's render: {render_error()}; install Debian's libegl1 "
                                "and libgl1-mesa-dri (MUJOCO_GL=egl) or libosmesa6 (MUJOCO_GL=osmesa)")

    trajectory = sim.trajectory
    model = build(trajectory.robot)
    data = mujoco.MjData(model)
    drawn = [i for i, p in enumerate(trajectory.pieces) if p.pen]
    first, last = trajectory.starts[drawn[0]], trajectory.starts[drawn[-1]] + trajectory.pieces[drawn[-1]].t[-1]
    moment = first + at * (last - first)
    k = int(np.clip(np.searchsorted(sim.t, moment), 0, len(sim.t) - 1))
    spec = mujoco.mjtState.mjSTATE_FULLPHYSICS
    mujoco.mj_setState(model, data, sim.state[k], spec)
    mujoco.mj_forward(model, data)
    try:
        renderer = mujoco.Renderer(model, size[1], size[0], max_geom=12000)
    except Exception as error:  # EGL or OSMesa missing or failing: MuJoCo raises several kinds
        backend = os.environ.get("MUJOCO_GL", "egl")
        raise RenderUnavailable(
            f"no offscreen OpenGL for the arm's render (MUJOCO_GL={backend}: {type(error).__name__}: {error}); "
            "install Debian's libegl1 and libgl1-mesa-dri (MUJOCO_GL=egl) or libosmesa6 (MUJOCO_GL=osmesa)") from None
    try:
        robot = trajectory.robot
        camera = mujoco.MjvCamera()
        camera.lookat[:] = 0.7 * robot.origin + 0.1 * robot.normal + np.array([0.0, 0.0, 0.1])
        camera.distance = 1.05
        camera.azimuth = -125.0
        camera.elevation = -30.0
        renderer.update_scene(data, camera=camera)
        scene = renderer.scene
        ink = sim.tip[: k + 1][sim.force[: k + 1] > 0.05]
        lift = robot.normal * 0.0004  # just above the sheet
        for a, b in zip(ink[:-1:2], ink[1::2], strict=False):
            if scene.ngeom >= scene.maxgeom or np.linalg.norm(b - a) > 0.002:
                continue
            geom = scene.geoms[scene.ngeom]
            mujoco.mjv_initGeom(geom, mujoco.mjtGeom.mjGEOM_CAPSULE, np.zeros(3), np.zeros(3), np.zeros(9),
                                np.array([0.08, 0.2, 0.63, 1.0], dtype=np.float32))
            mujoco.mjv_connector(geom, mujoco.mjtGeom.mjGEOM_CAPSULE, 0.0008, a + lift, b + lift)
            scene.ngeom += 1
        pixels = renderer.render()
    finally:
        renderer.close()
    return Image.fromarray(pixels)


def preview(sim: Simulation, path: str | Path | None = None, *, glyph: Any = None, render: bool = True) -> tuple[bytes, str | None]:
    """The preview PNG (see the module doc), written atomically to ``path`` when given.

    Args:
        glyph: the image the drawing was traced from (a path or PIL image), drawn faintly behind.
        render: add the arm's render (when offscreen OpenGL is there).

    Returns:
        The PNG's bytes, and why the arm's render is missing (None when it is there).
    """
    image = None
    if glyph is not None:
        image = glyph if isinstance(glyph, Image.Image) else Image.open(glyph)
    left = _page_panel(sim, image)
    missing = None
    panels = [left]
    if render:
        try:
            panels.append(render_arm(sim))
        except RenderUnavailable as error:
            missing = str(error)
    height = max(p.height for p in panels)
    picture = Image.new("RGB", (sum(p.width for p in panels) + 10 * (len(panels) - 1), height + 30), "white")
    x = 0
    for panel in panels:
        picture.paste(panel, (x, (height - panel.height) // 2))
        x += panel.width + 10
    ImageDraw.Draw(picture).text((10, height + 8), f"{sim.trajectory.robot.name}: {sim.line()}", fill=(0, 0, 0))
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    data = buffer.getvalue()
    if path is not None:
        from strokebot.output import write_bytes

        write_bytes(path, data)
    return data, missing
