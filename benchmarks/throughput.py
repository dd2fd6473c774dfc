"""Bulk tracing speed: arrays to Drawings with trace_batch, and a folder of images with -j.

    python benchmarks/throughput.py                   # 10,000 MNIST test digits, 5 rounds
    python benchmarks/throughput.py --quick           # 1,000 digits, 2 rounds, a 200-image folder
    python benchmarks/throughput.py --folder 100000 --jobs 2 --no-arrays   # memory of a big folder

Arrays, the fast path (``fast=True``, the one-shot gesture model): each round times, one after the
other, the model alone (numpy runner), stroke extraction alone (gestures to Drawings) and the whole
``trace_batch(..., normalised=True, clean=False)``; the table gives the median of the rounds and
each stage's share of the whole, so a busy machine shows as slower rounds, not as a wrong ratio.

Arrays, the default call: ``trace_batch(..., normalised=True, clean=False)`` with no model, which
gives framed 28×28 arrays to the stroke model's student (the same one-shot model, loaded by the call).

Arrays, the default stroke model: the same ``trace_batch`` call on the first ``--stroke-count``
digits (default 1,000), one process, and with ``workers=--jobs`` (worker processes, each drawing a
consecutive share of the digits; the time includes starting them).

Folder: writes N small PNG digits to a temporary folder and traces them to G-code with
:func:`strokebot.batch.trace_parallel` in a fresh process per ``--jobs`` value (as
``strokebot trace FOLDER -j J -q`` does), reporting images per second and peak memory: the sum of the
resident memory of that process and all its children, sampled every 50 ms, and each process's own
peak.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe  # noqa: E402

TARGET = 10_000  # glyphs per second, arrays to Drawings (issue 7)
DEFAULT_CALL = "default: trace_batch, no model given"


def _digits(count: int) -> np.ndarray:
    from strokebot import datasets

    images, _ = datasets.mnist(split="test")
    reps = -(-count // len(images))
    return np.ascontiguousarray(np.concatenate([images] * reps)[:count])  # (N, 28, 28) float32, ink 1


def arrays(count: int, rounds: int, batch_size: int) -> list[tuple[str, float, str]]:
    import strokebot
    from strokebot.imaging import Frame
    from strokebot.model.inference import FAST_MODEL, load_model
    from strokebot.tracing import Page, _drawings, _gestures

    model = load_model(FAST_MODEL)
    stack = _digits(count)
    images = list(stack)
    size = model.size
    page = Page(np.zeros((size, size), np.float32), stack[:0], [Frame(1.0, (0.0, 0.0), size)], [(0.0, 0.0, size, size)])

    def model_alone():
        return _gestures(model, stack, batch_size)

    gestures = model_alone()

    def strokes_alone():
        return [d for first in range(0, count, batch_size) for d in _drawings([page] * min(batch_size, count - first), _slice(gestures, first, batch_size), model)]

    def whole():
        return strokebot.trace_batch(images, model=model, normalised=True, clean=False, batch_size=batch_size)

    def default_call():
        return strokebot.trace_batch(images, normalised=True, clean=False, batch_size=batch_size)

    stages = {"--fast: model alone (numpy MLP)": model_alone, "--fast: strokes alone (gestures to Drawings)": strokes_alone,
              "trace_batch, arrays to Drawings": whole, DEFAULT_CALL: default_call}
    try:  # the same with one BLAS thread: on a machine that others keep busy, a second thread only waits
        from threadpoolctl import threadpool_limits

        def one_thread():
            with threadpool_limits(1, user_api="blas"):
                return whole()

        stages["--fast: trace_batch, one BLAS thread"] = one_thread
    except ImportError:
        pass
    whole()  # warm up: caches, lazy imports
    times: dict[str, list[float]] = {name: [] for name in stages}
    for _ in range(rounds):
        for name, stage in stages.items():
            start = time.perf_counter()
            stage()
            times[name].append(time.perf_counter() - start)
    drawings = whole()
    assert len(drawings) == count
    strokes = sum(len(d.strokes) for d in drawings) / count
    drawn_by = default_call()[0].model
    rows = []
    total = statistics.median(times["trace_batch, arrays to Drawings"])
    for name, spent in times.items():
        median = statistics.median(spent)
        rows.append((name, count / median, f"{100 * median / total:.0f} % of the whole"))
    rows.append((f"(check: {count} drawings, {strokes:.2f} strokes per glyph)", float("nan"), ""))
    rows.append((f"(the default call is drawn by {drawn_by})", float("nan"), ""))
    return rows


def stroke_arrays(count: int, jobs: int) -> list[tuple[str, float, str]]:
    """The default stroke model's ``trace_batch`` on ``count`` digits, in one process and in ``jobs``."""
    import strokebot

    images = list(_digits(count))
    model = strokebot.load_model()
    strokebot.trace_batch(images[:20], model=model, normalised=True, clean=False)  # warm up
    start = time.perf_counter()
    drawings = strokebot.trace_batch(images, model=model, normalised=True, clean=False)
    one = count / (time.perf_counter() - start)
    strokes = sum(len(d.strokes) for d in drawings) / count
    rows = [("stroke model: trace_batch, 1 process", one, f"{strokes:.2f} strokes per glyph")]
    if jobs > 1:
        start = time.perf_counter()
        parallel = strokebot.trace_batch(images, model=model, normalised=True, clean=False, workers=jobs)
        same = [len(d.strokes) for d in parallel] == [len(d.strokes) for d in drawings]
        rows.append((f"stroke model: trace_batch, {jobs} processes", count / (time.perf_counter() - start),
                     f"workers={jobs}, starting them included; {'the same strokes' if same else 'OTHER STROKES'}"))  # fmt: skip
    return rows


def _slice(gestures, first: int, size: int):
    from strokebot.model.inference import GestureArrays

    part = slice(first, first + size)
    return GestureArrays(gestures.start[part], gestures.velocity[part], gestures.pressure[part], gestures.intensity[part])


# -- folders ---------------------------------------------------------------------------------------


def make_folder(folder: Path, count: int) -> None:
    """``count`` 28×28 PNG digits (dark ink on white, as a scan), MNIST test digits over and over."""
    from PIL import Image

    images = _digits(min(count, 10_000))
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(count):
        Image.fromarray(((1.0 - images[k % len(images)]) * 255).astype(np.uint8)).save(folder / f"{k:06d}.png")


def run_folder(folder: Path, output: Path, jobs: int) -> dict:
    """Trace ``folder`` in this process and its workers; called in a fresh process (``--run``)."""
    from strokebot.batch import peak_rss_mb, trace_parallel
    from strokebot.jobs import TraceSettings, expand_inputs

    sampler = _MemorySampler()
    sampler.start()
    start = time.perf_counter()
    sources = expand_inputs([folder])
    reports: list = []
    done = skipped = 0
    for result in trace_parallel(sources, TraceSettings(formats=("gcode",)), output, jobs=jobs, reports=reports):
        done += 1
        skipped += result.error is not None
    elapsed = time.perf_counter() - start
    sampler.stop()
    return {
        "images": done,
        "skipped": skipped,
        "seconds": elapsed,
        "sampled_peak_mb": sampler.peak_mb,
        "parent_peak_mb": peak_rss_mb(),
        "worker_peaks_mb": [r.peak_rss_mb for r in reports],
        "workers_imported_torch": any(r.imported_torch for r in reports),
    }


class _MemorySampler(threading.Thread):
    """Peak of the summed resident memory of this process and all its descendants (Linux /proc)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_mb = 0.0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.wait(0.05):
            self.peak_mb = max(self.peak_mb, sum(map(_rss_mb, _family(os.getpid()))))

    def stop(self) -> None:
        self._halt.set()
        self.join()


def _family(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    todo.extend(int(c) for c in handle.read().split())
        except OSError:
            continue
    return pids


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def folders(count: int, jobs_list: list[int], keep: Path | None) -> list[tuple[str, float, str]]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="strokebot-bench-") as scratch:
        folder = keep or Path(scratch) / "in"
        if not (folder / f"{count - 1:06d}.png").exists():
            start = time.perf_counter()
            make_folder(folder, count)
            print(f"(wrote {count} PNGs to {folder} in {time.perf_counter() - start:.0f} s)", file=sys.stderr)
        serial = None
        for jobs in jobs_list:
            output = Path(scratch) / f"out-{jobs}"
            output.mkdir()
            run = subprocess.run(
                [sys.executable, __file__, "--run", str(folder), str(output), str(jobs)],
                check=True, capture_output=True, text=True,
            )
            figures = json.loads(run.stdout.strip().splitlines()[-1])
            rate = figures["images"] / figures["seconds"]
            serial = serial or (rate if jobs == 1 else None)
            workers = " + ".join(f"{m:.0f}" for m in figures["worker_peaks_mb"]) or "none"
            notes = (
                f"peak memory {figures['sampled_peak_mb']:.0f} MB summed over processes "
                f"(main {figures['parent_peak_mb']:.0f} MB, workers {workers} MB); "
                f"torch in workers: {'yes' if figures['workers_imported_torch'] else 'no'}"
            )
            if serial and jobs != 1:
                notes += f"; {rate / serial:.2f}x the serial rate"
            if figures["images"] != count or figures["skipped"]:
                notes += f"; {figures['images']} results, {figures['skipped']} skipped"
            rows.append((f"folder of {count} PNGs to G-code, -j {jobs}", rate, notes))
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="glyphs for the array benchmark")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=1024)
    parser.add_argument("--folder", type=int, default=0, metavar="N", help="also trace a folder of N PNGs")
    parser.add_argument("--jobs", default="1,2", help="comma-separated -j values for the folder (default 1,2)")
    parser.add_argument("--keep", type=Path, help="generate the folder here and keep it for the next run")
    parser.add_argument("--no-arrays", action="store_true", help="only the folder benchmark")
    parser.add_argument("--stroke-count", type=int, default=1000, help="glyphs for the stroke model's array benchmark")
    parser.add_argument("--quick", action="store_true", help="1,000 glyphs, 2 rounds, a 200-image folder")
    parser.add_argument("--run", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run:
        print(json.dumps(run_folder(Path(args.run[0]), Path(args.run[1]), int(args.run[2]))))
        return
    if args.quick:
        args.count, args.rounds, args.folder = min(args.count, 1000), 2, args.folder or 200
        args.stroke_count = min(args.stroke_count, 100)
    rows = []
    if not args.no_arrays:
        rows += arrays(args.count, args.rounds, args.batch_size)
        rows += stroke_arrays(args.stroke_count, max(int(j) for j in args.jobs.split(",")))
    if args.folder:
        rows += folders(args.folder, [int(j) for j in args.jobs.split(",")], args.keep)
    print(f"strokebot throughput  ({describe()})")
    print(f"{'what':<48} {'glyphs/s':>10}  notes")
    for name, rate, notes in rows:
        print(f"{name:<48} {'' if rate != rate else f'{rate:,.0f}':>10}  {notes}")
    targets = (("--fast", "trace_batch, arrays to Drawings"), ("the default call", DEFAULT_CALL),
               ("the stroke model itself", "stroke model: trace_batch, 1 process"))
    for label, name in targets:
        found = [rate for row, rate, _ in rows if row == name]
        if found:
            verdict = "met" if found[0] >= TARGET else f"NOT met ({found[0] / TARGET:.3f}x of it)"
            print(f"target: trace_batch >= {TARGET:,} glyphs/s on 2 cores, {label}: {verdict}")


if __name__ == "__main__":
    main()
