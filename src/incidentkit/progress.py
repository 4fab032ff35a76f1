"""Progress for the steps that can take more than two seconds: one mechanism for every command.

Nothing incidentkit does should be silent for more than two seconds. The slow steps (building the
gazetteer index, geocoding many names, ingesting a large file, downloading a gazetteer) report through
this module, which picks the form from where stderr goes:

* **a terminal**: a :mod:`tqdm` bar on stderr. It appears only once the step has run :data:`DELAY`
  seconds, so quick runs print nothing, and a step without a natural unit still shows its elapsed time
  ticking (``tick=True``).
* **not a terminal** (a CI log, ``2> log.txt``, a test runner): one line when the step starts, e.g.
  ``building the gazetteer index (first run: up to a minute; cached afterwards)...``. A line cannot be
  taken back, so it is printed only when the step's size says it may be slow (``min_total``).
* **a Jupyter kernel**: nothing, unless asked. A notebook stores its stderr in the cell's output; the
  Python API is quiet there so saved notebooks do not fill with progress lines.

The form can be forced for the whole process with :func:`configure` or the ``INCIDENTKIT_PROGRESS``
environment variable (``auto``, the default; ``bar``; ``note``; ``off``), and per call with ``show``:
``None`` follows the process setting, ``False`` silences that step, ``True`` asks for the bar wherever
stderr goes (a notebook, or a log when ``--progress`` is given: the caller asked for a bar, not a note).
Commands and library functions call :func:`progress`, :func:`step` or :func:`note`; none of them
decides the form itself.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, Literal

from tqdm import tqdm

Mode = Literal["bar", "note", "off"]
Setting = Literal["auto", "bar", "note", "off"]

ENV_VAR = "INCIDENTKIT_PROGRESS"
#: Seconds a step runs before its bar appears: quick steps leave the terminal clean.
DELAY = 0.5
#: Seconds between redraws of a bar that has no new units to show (its elapsed time keeps moving).
TICK_SECONDS = 1.0
_SETTINGS: tuple[str, ...] = ("auto", "bar", "note", "off")
_configured: Setting | None = None


def configure(setting: Setting | None) -> None:
    """Force the form of every progress report in this process (``None`` or ``"auto"``: decide per call).

    A script that wants the one-line notes in a notebook calls ``configure("note")``; a pipeline that
    wants silence calls ``configure("off")``. It overrides ``INCIDENTKIT_PROGRESS``.
    """
    global _configured
    if setting is not None and setting not in _SETTINGS:
        raise ValueError(f"progress setting must be one of {', '.join(_SETTINGS)}, not {setting!r}")
    _configured = setting


def in_notebook() -> bool:
    """True inside a Jupyter kernel (where stderr ends up in the saved notebook), False elsewhere."""
    if "ipykernel" not in sys.modules:  # cheap test first: most processes never load a kernel
        return False
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - ipykernel always brings IPython
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def _stderr_is_terminal() -> bool:
    try:
        return bool(sys.stderr.isatty())
    except (AttributeError, ValueError):  # no stderr (pythonw) or a closed one
        return False


def _setting() -> Setting:
    if _configured is not None:
        return _configured
    env = os.environ.get(ENV_VAR, "auto").strip().lower()
    return env if env in _SETTINGS else "auto"  # type: ignore[return-value]


def mode(show: bool | None = None) -> Mode:
    """The form a report takes now: ``"bar"``, ``"note"`` or ``"off"``; see the module docstring."""
    if show is not None:
        # asked for: tqdm's text bar, which Jupyter also renders in place (its carriage returns)
        return "bar" if show else "off"
    setting = _setting()
    if setting != "auto":
        return setting  # type: ignore[return-value]
    if in_notebook():
        return "off"
    return "bar" if _stderr_is_terminal() else "note"


def note(message: str, *, show: bool | None = None) -> None:
    """One line on stderr about a slow step starting (above any bar on a terminal; nothing when off)."""
    m = mode(show)
    if m == "bar":
        tqdm.write(message, file=sys.stderr)
    elif m == "note":
        print(message, file=sys.stderr, flush=True)


class _Bar(tqdm):  # type: ignore[type-arg]
    """A tqdm bar on stderr that can redraw itself from a thread, so a step with no new units to
    report (a numpy sort, a JSON parse) still shows its elapsed time moving."""

    def __init__(self, *args: Any, tick: bool = False, **kwargs: Any) -> None:
        self._ticker: threading.Thread | None = None
        self._stop = threading.Event()
        self._ticked = False
        super().__init__(*args, **kwargs)
        if tick and not self.disable:
            self._ticker = threading.Thread(target=self._tick, name="incidentkit-progress", daemon=True)
            self._ticker.start()

    def _tick(self) -> None:
        while not self._stop.wait(TICK_SECONDS):
            if self._time() - self.start_t >= self.delay and not self.disable:
                self._ticked = bool(self.refresh()) or self._ticked

    def close(self) -> None:
        if self._ticker is not None:
            self._stop.set()
            self._ticker.join()
            self._ticker = None
        if self._ticked and getattr(self, "last_print_t", 0) < self.start_t + self.delay:
            self.last_print_t = self._time()  # tqdm clears only lines it knows it drew
        super().close()


def progress(iterable: Iterable[Any] | None = None, *, desc: str, total: float | None = None,
             unit: str = "it", unit_scale: bool = False, note: str | None = None, show: bool | None = None,
             min_total: float = 0, tick: bool = False, delay: float | None = None, leave: bool = False,
             bar_format: str | None = None) -> tqdm:  # type: ignore[type-arg]
    """A tqdm object for a slow step, whatever the form: iterate it, or ``update()`` it and ``close()``
    (or use it as a context manager). On a terminal it draws a bar; otherwise it prints ``note`` once
    (default: ``"<desc>: <total> <unit>..."``) when ``total`` is unknown or at least ``min_total``, and
    draws nothing; when off it is silent. Callers never test the form themselves.

    ``tick``: redraw every :data:`TICK_SECONDS` from a thread, for steps with long stretches and no
    units to count (a C call holding the GIL still blocks the redraw: such a step is better announced
    at once, ``delay=0``; default :data:`DELAY`, or 0 when ``show`` is True). ``total`` may be set later (``bar.total = n``) when only the step knows it.
    ``leave``: keep the finished bar on the terminal (its total time and rate), else it is cleared.
    """
    if total is None and iterable is not None and hasattr(iterable, "__len__"):
        total = len(iterable)  # type: ignore[arg-type]
    m = mode(show)
    if m == "bar":
        if delay is None:
            delay = 0.0 if show else DELAY  # a bar asked for (``--progress``) is drawn from the start
        return _Bar(iterable, desc=desc, total=total, unit=unit, unit_scale=unit_scale, file=sys.stderr,
                    leave=leave, delay=delay, dynamic_ncols=True, bar_format=bar_format, tick=tick)
    if m == "note" and (total is None or total >= min_total):
        if note is None:
            size = "" if total is None else " " + (size_text(total) if unit_scale and unit == "B"
                                                   else f"{total:,.0f} {unit}")
            note = f"{desc}:{size}..."
        print(note, file=sys.stderr, flush=True)
    return tqdm(iterable, total=total, disable=True)


@contextmanager
def step(message: str, *, show: bool | None = None) -> Iterator[tqdm]:  # type: ignore[type-arg]
    """A slow step with no unit to count (parsing a whole JSON file): on a terminal, ``message`` and
    the elapsed time, redrawn every second; otherwise the one line ``message...``."""
    bar = progress(desc=message, note=f"{message}...", show=show, tick=True, bar_format="{desc} [{elapsed}{postfix}]")
    try:
        yield bar
    finally:
        bar.close()


def size_text(n_bytes: float) -> str:
    """``1.2 GB`` for a byte count: how notes name a file's size."""
    return re.sub(r"(?<=\d)(?=[A-Za-z])", " ", tqdm.format_sizeof(n_bytes, "B"), count=1)
