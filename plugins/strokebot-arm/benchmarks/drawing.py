"""The bundled samples and a ten-glyph word, planned for the UR5e and replayed in MuJoCo: the figures.

    python plugins/strokebot-arm/benchmarks/drawing.py

Each sample in samples/ (*.png, *.jpg) is traced by strokebot (the bundled model, no refinement),
fitted 60 mm wide, planned for ur5e-table at 50 mm/s and replayed with the servos' dynamics.
Printed per sample: strokes, the plan's duration and pen-down time, the tracking error (max and
RMS of the ink's distance from the strokes, and the largest gap), the fastest joint as a share of
its speed limit, and the seconds planning and simulating took. Then the word "strokebots" (ten
glyphs, Hershey text drawn as an image and traced): planning plus simulation timed on its own,
five times, in this process (imports done) and once in a fresh process (imports included).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def main() -> None:
    import numpy as np
    import strokebot_arm
    from PIL import Image

    import strokebot
    from strokebot.datasets import hershey_text

    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores\n")
    print("| sample | strokes | duration s | pen down s | error max mm | error RMS mm | fastest joint | plan s | simulate s |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    worst_max, worst_rms = 0.0, 0.0
    samples = sorted([*ROOT.glob("samples/*.png"), *ROOT.glob("samples/*.jpg")])
    for path in samples:
        drawing = strokebot.trace(path).fit(width=60).reordered()
        started = time.perf_counter()
        plan = strokebot_arm.plan(drawing, "ur5e-table", speed=50)
        planned = time.perf_counter()
        result = plan.simulate()
        done = time.perf_counter()
        share = result.speed_share()
        j = int(np.argmax(share))
        worst_max, worst_rms = max(worst_max, result.max_error), max(worst_rms, result.rms_error)
        print(f"| {path.name} | {len(plan.strokes)} | {plan.duration:.1f} | {plan.pen_down_time:.1f} | {result.max_error:.3f} | "
              f"{result.rms_error:.3f} | {plan.joint_names[j]} {share[j]:.0%} | {planned - started:.2f} | {done - planned:.2f} |")
    print(f"\nworst over the samples: max {worst_max:.3f} mm (target <= 0.5), RMS {worst_rms:.3f} mm (target <= 0.1)\n")

    with tempfile.TemporaryDirectory() as folder:
        word = Path(folder) / "strokebots.png"
        Image.fromarray(hershey_text("strokebots", height=60, pen=6)).save(word)
        drawing = strokebot.trace(word).fit(width=60).reordered()
        times = []
        for _ in range(5):
            started = time.perf_counter()
            result = strokebot_arm.plan(drawing, "ur5e-table", speed=50).simulate()
            times.append(time.perf_counter() - started)
        print(f"'strokebots' (10 glyphs, {len(drawing.strokes)} strokes, {result.trajectory.duration:.1f} s of robot time): "
              f"plan + simulate {np.median(times):.2f} s median of 5 (min {min(times):.2f}), target < 5 s; "
              f"tracking error max {result.max_error:.3f} mm, RMS {result.rms_error:.3f} mm")
        drawing.to_json(Path(folder) / "strokebots.json")
        command = [sys.executable, "-c",
                   "import sys, time; t = time.perf_counter(); import strokebot_arm; "
                   "strokebot_arm.plan(sys.argv[1], 'ur5e-table', speed=50).simulate(); print(time.perf_counter() - t)",
                   str(Path(folder) / "strokebots.json")]
        cold = float(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
        print(f"the same in a fresh process, imports (MuJoCo, toppra, SciPy) included: {cold:.2f} s")


if __name__ == "__main__":
    main()
