"""The parallel folder runner: same files as a serial run, bad inputs skipped, bounded, torch-free."""

import os
from pathlib import Path

import pytest
from conftest import draw_polylines, save_png
from tests_tolerance import assert_same_text

from strokebot import batch
from strokebot.errors import StrokebotError, UsageError
from strokebot.jobs import TraceResult, TraceSettings, expand_inputs, trace_files

pytestmark = pytest.mark.slow  # each parallel run starts worker processes


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for k in range(6):
        save_png(folder / f"stroke{k}.png", draw_polylines([[(6, 6 + 3 * k), (22, 20 - k)]], size=(28, 28), width=2.5))
    save_png(folder / "seven.png", draw_polylines([[(7, 7), (21, 7), (12, 23)]], size=(28, 28), width=2.5))
    (folder / "broken.png").write_bytes(b"not a png")
    (folder / "empty.png").write_bytes(b"")
    return folder


def _outputs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_parallel_writes_what_a_serial_run_writes(folder, tmp_path):
    settings = TraceSettings(formats=("gcode", "svg"))
    serial_out, parallel_out = tmp_path / "serial", tmp_path / "parallel"
    serial_out.mkdir()
    parallel_out.mkdir()
    sources = expand_inputs([folder])
    serial = {r.source.name: r for r in trace_files(sources, settings, serial_out)}
    reports: list[batch.WorkerReport] = []
    parallel = {r.source.name: r for r in batch.trace_parallel(sources, settings, parallel_out, jobs=2, reports=reports)}
    assert sorted(parallel) == sorted(serial) == sorted(p.name for p in sources)
    written, expected = _outputs(parallel_out), _outputs(serial_out)
    assert sorted(written) == sorted(expected) and len(expected) == 2 * 7
    for name, text in written.items():
        # Workers run BLAS on one thread, this process on all: the sums may round differently.
        assert_same_text(text.decode(), expected[name].decode(), name=name, precision="0.001")
    for name, result in parallel.items():
        assert isinstance(result, batch.Traced)
        assert result.summary() == serial[name].summary().replace("serial", "parallel")
        assert (result.error is None) == (serial[name].error is None)
    assert {name for name, r in parallel.items() if r.error} == {"broken.png", "empty.png"}
    # Both workers ran, stopped cleanly, stayed small and never loaded torch.
    assert len(reports) == 2 and sum(r.traced for r in reports) == len(sources)
    assert not any(r.imported_torch for r in reports)
    assert all(0 < r.peak_rss_mb < 500 for r in reports)


def test_one_job_is_the_serial_run(folder):
    results = list(batch.trace_parallel(expand_inputs([folder]), TraceSettings(), jobs=1))
    assert all(isinstance(r, TraceResult) for r in results) and len(results) == 9


def test_collisions_are_refused_before_anything_is_traced(tmp_path):
    for suffix in (".png", ".jpg"):
        image = draw_polylines([[(6, 6), (22, 20)]], size=(28, 28), width=2.5)
        save_png(tmp_path / f"glyph{suffix}", image)
    with pytest.raises(UsageError, match="would both write"):
        list(batch.trace_parallel(expand_inputs([tmp_path]), TraceSettings(), jobs=2))
    assert not list(tmp_path.glob("*.gcode"))


def test_bad_jobs():
    with pytest.raises(UsageError, match="jobs"):
        list(batch.trace_parallel([], TraceSettings(), jobs=-1))


def test_inputs_are_handed_out_a_few_at_a_time(folder, monkeypatch):
    """However many inputs, only a bounded number are in flight: the plan is read as work finishes."""
    handed: list[int] = []
    real_chunks = batch._chunks

    def counting(plan, size):
        for chunk in real_chunks(plan, size):
            handed.append(len(chunk))
            yield chunk

    monkeypatch.setattr(batch, "_chunks", counting)
    monkeypatch.setattr(batch, "CHUNK", 1)
    monkeypatch.setattr(batch, "AHEAD", 1)
    sources = expand_inputs([folder]) * 3  # 27 inputs; the same files again write the same outputs
    monkeypatch.setattr(batch, "_check_collisions", lambda *args: None)
    results = batch.trace_parallel(sources, TraceSettings(), jobs=2)
    next(results)
    assert sum(handed) <= 2 * (1 + 1) * 1 + 1  # jobs * (AHEAD + 1) * CHUNK, and the one just read
    assert len(list(results)) == len(sources) - 1


class _DiesOnArrival:
    """Settings that kill the worker process that unpickles them: a worker dying mid-run."""

    formats = ("gcode",)

    def __reduce__(self):
        return (os._exit, (3,))


def test_a_dead_worker_stops_the_run(folder):
    with pytest.raises(StrokebotError, match="worker process died .*exit code 3"):
        list(batch.trace_parallel(expand_inputs([folder]), _DiesOnArrival(), jobs=2))


def test_progress_passes_results_through(capsys):
    assert list(batch.progress(iter(range(5)), 5, label="tracing")) == [0, 1, 2, 3, 4]
    assert "\x1b[K" not in capsys.readouterr().err  # not a terminal: no bar, nothing to clear


def test_default_jobs_is_the_usable_cores():
    assert 1 <= batch.default_jobs() <= (os.cpu_count() or 1)


def test_stopping_early_leaves_no_workers_and_no_partial_files(folder, tmp_path, monkeypatch):
    """A consumer that stops (Ctrl-C, an error) ends the workers; none leaves a temporary file."""
    import multiprocessing

    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setattr(batch, "_check_collisions", lambda *args: None)  # the same files, again
    results = batch.trace_parallel(expand_inputs([folder]) * 6, TraceSettings(), out, jobs=2)
    next(results)
    results.close()
    assert multiprocessing.active_children() == []
    assert not [p for p in out.iterdir() if p.name.endswith(".part")]


def test_trace_batch_in_worker_processes_gives_the_drawings_of_one_process_in_order():
    import numpy as np

    import strokebot

    images = [draw_polylines([[(5, 5 + 2 * k), (22, 22 - k)], [(6, 22), (20, 6 + k)]], size=(28, 28), width=2.0 + k / 4) for k in range(7)]
    names = [f"glyph {k}" for k in range(7)]
    serial = strokebot.trace_batch(images, names=names)
    environment = dict(os.environ)
    for workers in (2, 3):
        parallel = strokebot.trace_batch(images, names=names, workers=workers)
        assert len(parallel) == len(serial)
        for a, b in zip(serial, parallel, strict=True):
            assert len(a.strokes) == len(b.strokes) and a.meta == b.meta
            for s, t in zip(a.strokes, b.strokes, strict=True):
                np.testing.assert_array_equal(s.points, t.points)
    assert dict(os.environ) == environment  # the workers' one-thread settings are not left behind


def test_trace_batch_workers_raise_what_one_process_raises():
    import numpy as np

    import strokebot
    from strokebot.errors import ImageError

    blank = np.zeros((28, 28), np.uint8)
    ink = draw_polylines([[(5, 5), (22, 22)]], size=(28, 28), width=2.5)
    with pytest.raises(ImageError):
        strokebot.trace_batch([ink, ink, blank], workers=2)
    with pytest.raises(UsageError, match="workers"):
        strokebot.trace_batch([ink], workers=-1)
