"""One writer at a time per output folder, and readers that never see a half-published dataset.

A build holds an exclusive operating-system lock (``flock``) on the output folder itself from its
first read to its last rename (a lock on the folder's own descriptor: no lock file to see or commit); readers of the dataset (:func:`incidentkit.read_table` and everything
built on it) hold a shared lock while they read. The OS releases a lock when its process ends, however
it ends, so a killed build never leaves a stale lock behind (unlike a lock *file* whose existence is
the lock). Whoever takes the lock first completes or undoes an interrupted publish
(:func:`incidentkit.atomic.recover`), so the dataset a reader sees is always one build's whole output.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Callable, Iterator

from incidentkit.atomic import JOURNAL_NAME, recover
from incidentkit.errors import IncidentkitError, InputFileError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no flock; builds there are not guarded
    fcntl = None  # type: ignore[assignment]


class OutputLockedError(IncidentkitError):
    """Another process writes the output folder and the caller asked not to wait (``--no-wait``)."""


def _say(message: str) -> None:
    import click

    click.echo(message, err=True)


@contextlib.contextmanager
def output_lock(folder: str | os.PathLike[str], *, wait: bool = True,
                say: Callable[[str], None] | None = _say) -> Iterator[list[str]]:
    """Hold the folder's exclusive lock; complete or undo an interrupted publish first.

    Yields the recovery notes (also passed to ``say``, with a note when waiting for another writer).
    With ``wait=False`` a folder locked by another process raises :class:`OutputLockedError` at once.
    """
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder, os.O_RDONLY)
    except OSError as exc:
        raise InputFileError(f"{folder}: cannot write here: {exc.strerror or exc}", code="file-unwritable") from None
    try:
        _take(fd, folder, exclusive=True, wait=wait, say=say)
        notes = recover(folder)
        for note in notes:
            if say is not None:
                say(note)
        yield notes
    finally:
        os.close(fd)  # closing the descriptor releases the lock


@contextlib.contextmanager
def reading(folder: str | os.PathLike[str]) -> Iterator[None]:
    """Hold the folder's shared lock while a dataset is read, so no build publishes under the reader.

    A folder that cannot be locked (read-only media, where no build can publish either) is read as it
    is. An interrupted publish is completed first.
    """
    folder = Path(folder)
    if fcntl is None:  # pragma: no cover - Windows
        yield
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        yield
        return
    try:
        if (folder / JOURNAL_NAME).exists():  # a build was killed while publishing: finish it first
            with contextlib.suppress(OSError, IncidentkitError):
                _take(fd, folder, exclusive=True, wait=True, say=_say)
                for note in recover(folder):
                    _say(note)
        _take(fd, folder, exclusive=False, wait=True, say=_say)
        yield
    finally:
        os.close(fd)


def _take(fd: int, folder: Path, *, exclusive: bool, wait: bool, say: Callable[[str], None] | None) -> None:
    if fcntl is None:  # pragma: no cover - Windows
        return
    mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
    try:
        fcntl.flock(fd, mode | fcntl.LOCK_NB)
        return
    except BlockingIOError:
        pass
    except OSError as exc:  # file systems without flock (some network mounts): say so, go on unguarded
        if say is not None:
            say(f"note: {folder}: cannot lock ({exc.strerror or exc}); make sure no other build writes here")
        return
    if not wait:
        raise OutputLockedError(f"{folder}: another incidentkit process is writing this folder; "
                                "try again when it has finished (or drop --no-wait to wait for it)",
                                code="output-locked")
    if say is not None:
        say(f"waiting for another incidentkit process writing {folder} to finish...")
    fcntl.flock(fd, mode)
