"""Two models' figures on the same glyphs, glyph by glyph: which differences are clear of the noise.

    strokebot evaluate --model a.npz --data omniglot --data kanjivg --rows a.jsonl
    strokebot evaluate --model b.npz --data omniglot --data kanjivg --rows b.jsonl
    python benchmarks/paired.py a.jsonl b.jsonl

``strokebot evaluate --against`` does the same in one run; this is for models that one strokebot
cannot load together (trained by different code, with other features) or for rows kept from
earlier runs. Per set both files have, B less A for each mean figure, with its 95 % interval from
resampling the glyphs' labels (characters, words, shapes: :func:`strokebot.evaluate.paired_difference`);
"clear" when the interval leaves out 0.

A side may be several files joined by commas (the same model design trained with other seeds:
``benchmarks/leads/sequencer_seeds.py``): their figures are averaged glyph by glyph first, so the
comparison is of the seeds' means. Exact stroke counts are left out then (a mean count is not a
count).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def read_rows(path: Path) -> dict[str, list[dict]]:
    """A ``--rows`` file's glyphs by set, in order; a figure a glyph lacks (null) as NaN."""
    sets: dict[str, list[dict]] = {}
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as error:
        sys.exit(f"paired: {path}: cannot read it ({getattr(error, 'strerror', None) or error})")
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            sys.exit(f"paired: {path}:{number}: not a JSON line ({error.msg})")
        sets.setdefault(row["set"], []).append({k: (float("nan") if v is None else v) for k, v in row.items()})
    return sets


def read_mean_rows(spec: str) -> dict[str, list[dict]]:
    """The rows of one file, or of several joined by commas averaged glyph by glyph (NaN-aware)."""
    import numpy as np

    files = [read_rows(Path(part)) for part in spec.split(",") if part]
    if len(files) == 1:
        return files[0]
    sets = {}
    for name in files[0]:
        if any(name not in f or [r["label"] for r in f[name]] != [r["label"] for r in files[0][name]] for f in files):
            sys.exit(f"paired: {spec}: the files do not hold the same glyphs of {name}")
        mean = []
        for rows in zip(*(f[name] for f in files), strict=True):
            row = dict(rows[0])
            for key, value in rows[0].items():
                if isinstance(value, (int, float)) and key != "glyph":
                    values = np.array([r[key] for r in rows], float)
                    row[key] = float(np.nanmean(values)) if np.isfinite(values).any() else float("nan")
            mean.append(row)
        sets[name] = mean
    return sets


def main(argv: list[str] | None = None) -> None:
    from strokebot.evaluate import paired_difference, summarise

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("a", help="rows of model A (strokebot evaluate --rows); A1.jsonl,A2.jsonl,... for their mean")
    parser.add_argument("b", help="rows of model B, the same sets; likewise")
    args = parser.parse_args(argv)
    first, second = read_mean_rows(args.a), read_mean_rows(args.b)
    means = "," in args.a or "," in args.b
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
            if means and figure == "strokes_exact":
                continue
            low, high = d["interval"]
            clear = "  clear" if d["clear"] else ""
            print(f"  {figure:14s} {figures_a[figure]:.4f} -> {figures_b[figure]:.4f}  {d['difference']:+.4f} [{low:+.3f}, {high:+.3f}]{clear}")


if __name__ == "__main__":
    main()
