"""Peak memory of a whole process tree, and the machine a figure was measured on.

Why polling. A build parses in worker processes started by a *forkserver*: the workers are children of
the forkserver, not of the build's process, and the forkserver lives until the build's process exits.
``resource.getrusage(RUSAGE_CHILDREN)`` in the build's process therefore sees none of them (it counts
only children that have ended *and been waited for*: that is why ``build_speed.py`` used to report
0 MB for its workers), and even where it sees them its ``ru_maxrss`` is the peak of the *largest single*
descendant, never the memory of processes resident at the same time. The tree's peak is the largest
sum over all its processes at one moment, which only sampling the tree while it runs can see: every
``interval`` seconds, :mod:`psutil` lists the process and all its descendants and sums

* RSS: resident memory, each process counted whole (pages shared between processes, such as the
  libraries a forkserver's workers inherit, are counted once per process: an upper bound);
* PSS: each shared page divided among the processes sharing it (what the tree costs the machine).

A peak shorter than ``interval`` can be missed; the root process's own peak (``VmHWM``, kept by the
kernel) is reported too, and the tree's RSS peak is never below it.

CPU seconds of the tree are sampled the same way: each process's own user + system time as last seen,
summed over every process that appeared. (``getrusage(RUSAGE_CHILDREN)`` cannot give them either: the
forkserver outlives the build's process, is reaped by init, and takes its workers' CPU time with it.)
The CPU a process spends after its last sample is missed, at most ``interval`` seconds per process.
On a shared machine CPU seconds are disturbed less than wall-clock seconds (a busy neighbour delays a
process without adding to its CPU time); they include the interpreter's start and imports.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from typing import Any, Sequence

try:
    import psutil
except ImportError:  # pragma: no cover - psutil comes with the test extra (ipykernel needs it)
    sys.exit("the benchmarks measure memory with psutil: .venv/bin/pip install psutil")

MB = 1024 * 1024


@dataclass
class TreeUsage:
    """One run's process tree: peak memory in MB (MiB), as sums over the tree and for the root alone,
    and the CPU seconds of the whole tree (start-up and imports included)."""

    tree_rss_mb: float
    tree_pss_mb: float
    root_hwm_mb: float
    cpu_seconds: float
    processes: int  # distinct processes seen in the tree
    samples: int

    def memory_text(self) -> str:
        return (f"tree peak {self.tree_rss_mb:,.0f} MB RSS / {self.tree_pss_mb:,.0f} MB PSS "
                f"({self.processes} process{'es' if self.processes != 1 else ''})")

    def text(self) -> str:
        return f"{self.memory_text()}, {self.cpu_seconds:.1f} s CPU"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _vm_hwm_mb(pid: int) -> float:
    """The kernel's record of a process's peak resident memory (Linux), 0 when unavailable."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run_measured(cmd: Sequence[str], *, interval: float = 0.1, **popen: Any) -> tuple[str, TreeUsage]:
    """Run ``cmd`` to completion (raising on a non-zero exit like ``check=True``); return its stdout and
    its process tree's peak memory and CPU time, sampled every ``interval`` seconds from this process."""
    proc = subprocess.Popen(list(cmd), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)
    root = psutil.Process(proc.pid)
    peak_rss = peak_pss = hwm = 0.0
    cpu: dict[int, float] = {}  # pid -> its own CPU seconds as last seen
    samples = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak_rss, peak_pss, hwm, samples
        while not done.is_set():
            try:
                tree = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                break
            rss = pss = 0.0
            for p in tree:
                try:
                    m = p.memory_full_info()
                    t = p.cpu_times()
                except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                    continue
                cpu[p.pid] = t.user + t.system
                rss += m.rss
                pss += getattr(m, "pss", m.rss)
            hwm = max(hwm, _vm_hwm_mb(proc.pid))
            peak_rss, peak_pss = max(peak_rss, rss / MB), max(peak_pss, pss / MB)
            samples += 1
            done.wait(interval)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    out, err = proc.communicate()
    done.set()
    thread.join()
    if proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, list(cmd), out, err)
    return out, TreeUsage(peak_rss, peak_pss, hwm, sum(cpu.values()), len(cpu), samples)


def time_statement(imports: str, statement: str, **names: str) -> tuple[float, float, TreeUsage]:
    """Run ``statement`` in a fresh Python after ``imports``, with ``names`` bound (``SRC="..."``), and
    return its wall and CPU seconds alone (imports outside the clock; CPU is ``time.process_time``, every
    thread of that process) and the process tree's usage (:func:`run_measured`). The one way every
    benchmark times a competitor, so ours and theirs are measured alike."""
    import json

    bind = "".join(f"{k} = {v!r}\n" for k, v in names.items())
    code = (f"import time, json\n{imports}\n{bind}"
            f"_t0, _c0 = time.perf_counter(), time.process_time()\n{statement}\n"
            f"print(json.dumps({{'seconds': time.perf_counter() - _t0, 'cpu': time.process_time() - _c0}}))")
    out, usage = run_measured([sys.executable, "-c", code])
    res = json.loads(out.strip().splitlines()[-1])
    return res["seconds"], res["cpu"], usage


def self_peak_mb() -> float:
    """This process's own peak resident memory (the whole tree for a script that starts no processes)."""
    hwm = _vm_hwm_mb(os.getpid())
    if hwm:
        return hwm
    import resource

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / MB if sys.platform == "darwin" else rss / 1024  # bytes on macOS, KiB on Linux


def machine() -> str:
    """One line naming what the figures were measured on; absolute times mean nothing without it."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    mem = psutil.virtual_memory().total / 1024 ** 3
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (f"{platform.system()} {platform.machine()}, {cpus} CPUs usable (nproc), {mem:.0f} GB RAM, "
            f"Python {platform.python_version()}, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} at start")
