"""Trace every sample input into samples/out/: G-code, SVG and a check picture each.

    python samples/trace_all.py            # from the repository root

Each check picture shows the input's ink in grey and the strokes on top, coloured by drawing order,
pen-up moves dotted, start points marked, the verification score in a band above it. Everything else is
``strokebot trace``'s defaults: the bundled stroke model, strokes in its order and direction.
"""

from __future__ import annotations

import sys
from pathlib import Path

from strokebot.jobs import IMAGE_SUFFIXES, TraceSettings, trace_files

HERE = Path(__file__).resolve().parent
WIDTH_MM = {"digit-7": 20.0, "sanskrit-omniglot": 30.0}


def main() -> int:
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    inputs = sorted(p for p in HERE.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    failures = 0
    for source in inputs:
        settings = TraceSettings(
            formats=("gcode", "svg"),
            width=WIDTH_MM.get(source.stem, 60.0),
            margin=2.0,
            verify=True,
            preview=out / f"{source.stem}.check.png",
        )
        for result in trace_files([source], settings, out):
            if result.error is not None:
                failures += 1
                print(f"{source.name}: {result.error}", file=sys.stderr)
            else:
                print(result.summary())
                print(f"    {result.score.line()}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
