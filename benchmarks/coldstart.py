"""Cold start: one `strokebot trace glyph.png --to gcode` against `python -c "import torch"`.

    python benchmarks/coldstart.py            # 15 rounds
    python benchmarks/coldstart.py --quick    # 3 rounds
    python benchmarks/coldstart.py --importtime   # and what the trace command spends importing

Every command is a fresh process. Each round runs all of them once, one after the other, so a
machine that gets busier slows every command alike; the table gives medians and each median as a
fraction of the torch import. One untimed run of each comes first, so that the operating system has
the files in its cache and Python has written strokebot's bytecode, as for an installed package
(``PYTHONDONTWRITEBYTECODE`` is removed for the children for that reason).

Target (issue 7): the trace's median <= 0.25 x the torch import's median, and the trace never
imports torch (checked).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe  # noqa: E402

TARGET = 0.25
_NO_TORCH = (
    "import sys; from strokebot.cli import cli; cli.main(args=sys.argv[1:], prog_name='strokebot', standalone_mode=False); "
    "sys.exit(3 if 'torch' in sys.modules else 0)"
)


def _strokebot() -> list[str]:
    """The installed ``strokebot`` command beside this Python, else ``python -m strokebot``."""
    script = Path(sys.executable).with_name("strokebot")
    return [str(script)] if script.exists() else [sys.executable, "-m", "strokebot"]


def _glyph(folder: Path) -> Path:
    """A 28×28 seven, dark ink on white, as a user's small scan."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (112, 112), 255)
    ImageDraw.Draw(image).line([(28, 28), (84, 28), (48, 92)], fill=0, width=10, joint="curve")
    path = folder / "glyph.png"
    image.resize((28, 28), Image.LANCZOS).save(path)
    return path


def commands(folder: Path) -> dict[str, list[str]]:
    glyph = _glyph(folder)
    strokebot = _strokebot()
    return {
        'python -c "import torch"': [sys.executable, "-c", "import torch"],
        "strokebot trace glyph.png --to gcode": [*strokebot, "trace", str(glyph), "--to", "gcode", "-o", str(folder / "out.gcode"), "-q"],
        "strokebot --help": [*strokebot, "--help"],
        'python -c "import strokebot"': [sys.executable, "-c", "import strokebot"],
        'python -c "import numpy"': [sys.executable, "-c", "import numpy"],
        'python -c "pass"': [sys.executable, "-c", "pass"],
    }


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def measure(rounds: int, folder: Path) -> dict[str, list[float]]:
    env = _environment()
    runs = commands(folder)
    for argv in runs.values():  # untimed: file cache, bytecode
        subprocess.run(argv, check=True, capture_output=True, env=env)
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, argv in runs.items():
            start = time.perf_counter()
            subprocess.run(argv, check=True, capture_output=True, env=env)
            times[name].append(time.perf_counter() - start)
    return times


def trace_imports_torch(folder: Path) -> bool:
    glyph = folder / "glyph.png"
    argv = [sys.executable, "-c", _NO_TORCH, "trace", str(glyph), "--to", "gcode", "-o", str(folder / "check.gcode"), "-q"]
    return subprocess.run(argv, capture_output=True, env=_environment()).returncode == 3


def import_costs(folder: Path, top: int = 14) -> list[tuple[float, str]]:
    """The trace command's most expensive imports (cumulative ms), from ``python -X importtime``."""
    argv = [sys.executable, "-X", "importtime", "-c", _NO_TORCH, "trace", str(folder / "glyph.png"), "--to", "gcode", "-o", str(folder / "it.gcode"), "-q"]
    lines = subprocess.run(argv, capture_output=True, text=True, env=_environment()).stderr.splitlines()
    costs = []
    for line in lines:  # "import time:   self [us] | cumulative | imported package", nested by indent
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line[len("import time:") :].split("|")
        if len(name) - len(name.lstrip()) <= 3:  # top level and one below
            costs.append((int(cumulative) / 1000, name.strip()))
    return sorted(costs, reverse=True)[:top]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="at most 3 rounds")
    parser.add_argument("--importtime", action="store_true", help="also list the trace command's costliest imports")
    args = parser.parse_args(argv)
    rounds = min(args.rounds, 3) if args.quick else args.rounds
    with tempfile.TemporaryDirectory(prefix="strokebot-coldstart-") as scratch:
        folder = Path(scratch)
        times = measure(rounds, folder)
        torch_in_trace = trace_imports_torch(folder)
        costs = import_costs(folder) if args.importtime else []
    torch = statistics.median(times['python -c "import torch"'])
    print(f"strokebot cold start, {rounds} interleaved rounds  ({describe()})")
    print(f"{'command':<40} {'median s':>9} {'min s':>7} {'x torch import':>15}")
    for name, spent in times.items():
        median = statistics.median(spent)
        print(f"{name:<40} {median:>9.3f} {min(spent):>7.3f} {median / torch:>15.3f}")
    ratio = statistics.median(times["strokebot trace glyph.png --to gcode"]) / torch
    verdict = "met" if ratio <= TARGET and not torch_in_trace else "NOT met"
    print(f"target: trace <= {TARGET} x torch import: {verdict} ({ratio:.3f}); trace imports torch: {'YES' if torch_in_trace else 'no'}")
    if costs:
        print("\ncostliest top-level imports of the trace command (cumulative ms, one run, -X importtime):")
        for ms, name in costs:
            print(f"  {ms:8.1f}  {name}")


if __name__ == "__main__":
    main()
