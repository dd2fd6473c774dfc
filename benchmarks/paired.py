"""Two models' figures on the same glyphs, glyph by glyph: which differences are clear of the noise.

    strokebot evaluate --model a.npz --data omniglot --data kanjivg --rows a.jsonl
    strokebot evaluate --model b.npz --data omniglot --data kanjivg --rows b.jsonl
    python benchmarks/paired.py a.jsonl b.jsonl

``strokebot evaluate --against`` does the same in one run; this is for models that one strokebot
cannot load together (trained by different code, with other features) or for rows kept from
earlier runs. Per set both files have, B less A for each mean figure, with its 95 % interval from
resampling the glyphs' labels (characters, words, shapes: :func:`strokebot.evaluate.paired_difference`);
"clear" when the interval leaves out 0.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def read_rows(path: Path) -> dict[str, list[dict]]:
    """A ``--rows`` file's glyphs by set, in order; a figure a glyph lacks (null) as NaN."""
    sets: dict[str, list[dict]] = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            sys.exit(f"paired: {path}:{number}: not a JSON line ({error.msg})")
        sets.setdefault(row["set"], []).append({k: (float("nan") if v is None else v) for k, v in row.items()})
    return sets


def main(argv: list[str] | None = None) -> None:
    from strokebot.evaluate import paired_difference, summarise

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("a", type=Path, help="rows of model A (strokebot evaluate --rows)")
    parser.add_argument("b", type=Path, help="rows of model B, the same sets")
    args = parser.parse_args(argv)
    first, second = read_rows(args.a), read_rows(args.b)
    shared = [name for name in first if name in second]
    if not shared:
        sys.exit(f"paired: {args.a} and {args.b} have no set in common")
    for name in shared:
        a, b = first[name], second[name]
        if [r["label"] for r in a] != [r["label"] for r in b]:
            sys.exit(f"paired: {name}: the two files hold different glyphs")
        labels = [r["label"] for r in a]
        figures_a, figures_b = summarise(a), summarise(b)
        print(f"{name}: {len(a)} glyphs of {len(set(labels))} labels; B less A [95 % over labels]")
        for figure, d in paired_difference(a, b, labels).items():
            low, high = d["interval"]
            clear = "  clear" if d["clear"] else ""
            print(f"  {figure:14s} {figures_a[figure]:.4f} -> {figures_b[figure]:.4f}  {d['difference']:+.4f} [{low:+.3f}, {high:+.3f}]{clear}")


if __name__ == "__main__":
    main()
