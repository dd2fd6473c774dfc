"""The machine a benchmark ran on, printed with every table so figures can be compared fairly."""

from __future__ import annotations

import os
import platform
import sys


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def blas() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "BLAS threads unknown (threadpoolctl not installed)"
    pools = [f"{p.get('internal_api')} {p.get('num_threads')} threads" for p in threadpool_info() if p.get("user_api") == "blas"]
    return ", ".join(pools) or "no BLAS pool loaded"


def describe() -> str:
    """One line: CPU, cores, load, Python and numpy."""
    import numpy

    try:
        load = f"load average {os.getloadavg()[0]:.1f}"
    except OSError:
        load = "load unknown"
    return (
        f"{cpu_model()}, {os.cpu_count()} logical cores ({usable_cores()} usable), {load}; "
        f"{platform.system()} {platform.machine()}, Python {sys.version.split()[0]}, numpy {numpy.__version__} ({blas()})"
    )
