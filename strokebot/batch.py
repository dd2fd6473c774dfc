"""Tracing a folder with every core: worker processes, inputs streamed, results as they finish.

``strokebot trace FOLDER -j N`` runs :func:`trace_parallel`. N worker processes, started fresh
(``spawn``: each imports only what tracing needs, never torch unless ``--refine`` asks for it),
load the model once each and run :func:`strokebot.jobs.trace_file` on one input after another. The
parent hands the inputs out a few at a time and never has more than a fixed number in flight, so
memory stays flat however many images the folder holds; workers send back a one-line summary per
input, never its drawing, in the order they finish. A bad input is reported and skipped, as in a
serial run; a bug (any other exception) stops the run, as it would there.

:func:`trace_parallel` takes a list of inputs and checks their outputs first, as
:func:`strokebot.jobs.trace_files` does; :func:`trace_plan` is the parallel run on a plan that
``trace_files`` has already checked, which is how ``trace_files(..., jobs=N)`` uses it.

>>> from strokebot.jobs import TraceSettings
>>> for result in trace_parallel(["a.png", "b.png"], TraceSettings(formats=("svg",)), jobs=2):  # doctest: +SKIP
...     print(result.summary())
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import queue
import signal
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from strokebot.errors import StrokebotError, UsageError
from strokebot.paths import real

if TYPE_CHECKING:
    from strokebot.jobs import TraceResult, TraceSettings

__all__ = ["Traced", "WorkerReport", "default_jobs", "one_thread_workers", "trace_parallel", "trace_plan", "progress", "peak_rss_mb"]

#: Inputs per message to a worker (at most): enough to make messages cost nothing next to tracing.
CHUNK = 8
#: Chunks handed to each worker beyond the one it works on: keeps it busy, bounds memory.
AHEAD = 2
#: Each worker runs its linear algebra on one thread: N workers use N cores, no more.
_ONE_THREAD = {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}


@dataclasses.dataclass
class Traced:
    """What a worker sends back for one input: what :class:`strokebot.jobs.TraceResult` reports,
    without the drawing (``summary()``, ``error``, ``score``, ``outputs``)."""

    source: Path
    outputs: list[Path]
    line: str = ""
    score: Any = None
    error: StrokebotError | None = None

    def summary(self) -> str:
        return f"skipped: {self.error}" if self.error is not None else self.line


@dataclasses.dataclass
class WorkerReport:
    """What a worker says when it stops: how much memory it needed and what it imported."""

    pid: int
    traced: int
    peak_rss_mb: float
    imported_torch: bool


@contextlib.contextmanager
def one_thread_workers() -> Iterator[None]:
    """Processes started inside run their linear algebra on one thread each (N workers use N cores,
    not N × the BLAS threads), unless the environment already says how many; this process's
    environment is as it was afterwards."""
    unset = [name for name in _ONE_THREAD if name not in os.environ]
    os.environ.update({name: _ONE_THREAD[name] for name in unset})  # the workers inherit it as they start
    try:
        yield
    finally:
        for name in unset:
            del os.environ[name]


def default_jobs() -> int:
    """The cores this process may run on (``-j 0``)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def trace_parallel(
    sources: Sequence[str | Path],
    settings: TraceSettings,
    output: str | Path | None = None,
    *,
    jobs: int = 0,
    reports: list[WorkerReport] | None = None,
) -> Iterator[Traced | TraceResult]:
    """Trace ``sources`` as :func:`strokebot.jobs.trace_files` does, with ``jobs`` processes.

    Yields one result per input as it finishes (a :class:`Traced`, or with one job or one input the
    :class:`~strokebot.jobs.TraceResult` of the serial run). ``jobs`` 0 means one per core. Outputs
    are checked for collisions before anything is traced. With ``reports``, each worker appends its
    :class:`WorkerReport` when it stops.

    Raises:
        UsageError: ``jobs`` < 0, or two inputs would write the same file.
        StrokebotError: a worker process died (killed, out of memory).
        RuntimeError: tracing an input failed with an unexpected error (a bug), named with it.
    """
    from strokebot.jobs import trace_files

    if jobs < 0:
        raise UsageError(f"jobs must be a number of processes >= 0, got {jobs}")
    sources = [s if isinstance(s, Path) else Path(s) for s in sources]  # no copies: a folder may hold 100,000
    jobs = min(jobs or default_jobs(), len(sources))
    if jobs <= 1:
        yield from trace_files(sources, settings, output)
        return
    _check_collisions(sources, settings.formats, output)
    yield from trace_plan(_plan(sources, settings.formats, output), settings, jobs=jobs, count=len(sources), reports=reports)


def _plan(sources: Sequence[Path], formats: Sequence[str], output: str | Path | None) -> Iterator[tuple[Path, list[Path | None]]]:
    from strokebot.jobs import output_paths

    many = len(sources) > 1
    for source in sources:
        yield source, output_paths(source, formats, output, many=many)


def _check_collisions(sources: Sequence[Path], formats: Sequence[str], output: str | Path | None) -> None:
    """As :func:`strokebot.jobs.trace_files`: no two inputs may write one file (one folder lookup each)."""
    folders: dict[Path, str] = {}
    seen: dict[str, Path] = {}
    for source, destinations in _plan(sources, formats, output):
        for destination in destinations:
            if destination is None:
                continue
            folder = folders.get(destination.parent)
            if folder is None:
                folder = folders[destination.parent] = str(real(destination.parent))
            key = os.path.join(folder, destination.name)
            if key in seen:
                raise UsageError(f"{seen[key]} and {source} would both write {destination}")
            seen[key] = source


def trace_plan(
    plan: Iterable[tuple[Path, Sequence[Path | None]]],
    settings: TraceSettings,
    *,
    jobs: int,
    count: int | None = None,
    reports: list[WorkerReport] | None = None,
) -> Iterator[Traced]:
    """The parallel run itself: each (source, destinations) of ``plan`` traced by one of ``jobs``
    worker processes, results yielded as they finish.

    ``plan`` is read as work is handed out, never all at once, and is taken as checked (as
    :func:`strokebot.jobs.trace_files` checks it before tracing). ``count``, the plan's length when
    known (a list's by default), sizes the messages to the workers.

    Raises:
        StrokebotError: a worker process died (killed, out of memory).
        RuntimeError: tracing an input failed with an unexpected error (a bug), named with it.
    """
    import multiprocessing

    if count is None:
        count = len(plan) if isinstance(plan, Sequence) else CHUNK * 4 * jobs

    context = multiprocessing.get_context("spawn")
    tasks, results = context.Queue(), context.Queue()
    workers = [context.Process(target=_work, args=(tasks, results, settings), daemon=True) for _ in range(jobs)]
    with one_thread_workers():
        for worker in workers:
            worker.start()
    size = max(1, min(CHUNK, count // (4 * jobs)))  # a small folder still keeps every worker busy
    chunks = _chunks(iter(plan), size)
    limit = jobs * (AHEAD + 1) * size  # inputs handed out and not yet reported, at most
    in_flight, said_goodbye, handed_out_all = 0, 0, False
    completed = False
    try:
        while said_goodbye < jobs:
            while not handed_out_all and in_flight + size <= limit:
                chunk = next(chunks, None)
                if chunk is None:
                    handed_out_all = True
                    for _ in workers:
                        tasks.put(None)  # stop when the queue is empty
                else:
                    tasks.put(chunk)
                    in_flight += len(chunk)
            message = _receive(results, workers)
            if isinstance(message, WorkerReport):
                said_goodbye += 1
                if reports is not None:
                    reports.append(message)
            elif isinstance(message, _Crash):
                raise RuntimeError(f"{message.source}: tracing failed unexpectedly:\n{message.traceback}")
            else:
                in_flight -= 1
                yield message
        completed = True
    finally:
        _stop(workers, wait=completed)


def _chunks(plan: Iterator[tuple[Path, Sequence[Path | None]]], size: int) -> Iterator[list[tuple[Path, Sequence[Path | None]]]]:
    chunk: list[tuple[Path, Sequence[Path | None]]] = []
    for entry in plan:
        chunk.append(entry)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _receive(results: Any, workers: Sequence[Any]) -> Any:
    """The next message from the workers; raises if one of them died without saying goodbye."""
    while True:
        try:
            return results.get(timeout=0.5)
        except queue.Empty:
            dead = [w for w in workers if w.exitcode not in (None, 0)]
            if dead:
                code = dead[0].exitcode
                why = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
                hint = " (out of memory?)" if code == -signal.SIGKILL else ""
                raise StrokebotError(f"a tracing worker process died ({why}){hint}") from None


def _stop(workers: Sequence[Any], *, wait: bool) -> None:
    """Join workers that finished; terminate the rest at once (an interrupt, an error, a consumer
    that stopped early)."""
    for worker in workers:
        if wait:
            worker.join(timeout=5.0)
        if worker.is_alive():
            worker.terminate()  # SIGTERM: the worker finishes the input in hand, then stops
    for worker in workers:
        worker.join(timeout=10.0)
        if worker.is_alive():
            worker.kill()


@dataclasses.dataclass
class _Crash:
    source: Path
    traceback: str


class _Stop:
    """A worker's SIGTERM: exit at once when idle; when tracing, finish the input in hand first,
    so that no output is left half-written (not even the temporary file of an atomic write)."""

    busy = False
    asked = False

    @classmethod
    def handle(cls, signum: int, frame: Any) -> None:
        cls.asked = True
        if not cls.busy:
            raise SystemExit(128 + signum)


def _work(tasks: Any, results: Any, settings: TraceSettings) -> None:
    """A worker: trace each input handed out until told to stop, then report and exit."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, _Stop.handle)
    from strokebot.jobs import trace_file

    traced = 0
    while not _Stop.asked and (chunk := tasks.get()) is not None:
        for source, destinations in chunk:
            if _Stop.asked:
                break
            _Stop.busy = True
            try:
                result = trace_file(source, destinations, settings)
                message: Any = Traced(source, result.outputs, result.summary(), result.score)
            except StrokebotError as error:
                message = Traced(source, [], error=error)
            except Exception:
                import traceback

                message = _Crash(source, traceback.format_exc())
            finally:
                _Stop.busy = False
            results.put(message)
            traced += 1
    if _Stop.asked:
        raise SystemExit(128 + signal.SIGTERM)
    results.put(WorkerReport(os.getpid(), traced, peak_rss_mb(), "torch" in sys.modules))


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB.

    Linux's ``VmHWM``, not ``getrusage``: on Linux ``ru_maxrss`` carries over from the parent
    through fork and exec, so a small worker of a big parent would report the parent's peak.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)  # bytes on macOS, KiB elsewhere


def progress(results: Iterable[Any], total: int, *, label: str = "tracing") -> Iterator[Any]:
    """``results`` passed through, with a progress bar on stderr (drawn on a terminal only).

    The bar's line is cleared before each result is handed on, so lines the caller prints about it
    appear above the bar, which is redrawn below them.
    """
    import click

    with click.progressbar(length=total, label=label, file=sys.stderr, show_pos=True) as bar:
        drawn = sys.stderr.isatty()  # as click decides whether to draw the bar
        for result in results:
            if drawn:
                sys.stderr.write("\r\x1b[K")
            yield result
            bar.update(1)
