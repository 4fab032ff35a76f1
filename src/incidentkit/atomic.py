"""Atomic file writes: write to a temporary file beside the target, then rename over it.

A build interrupted at any moment (Ctrl-C, a full disk, a crash in an exporter) leaves either the old
file or the new one, never half of one. Several outputs can be staged together and published only when
every one of them was written (:class:`StagedFiles`).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterator

from incidentkit.errors import InputFileError


def _default_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


_MODE = _default_mode()


def _reason(exc: OSError) -> str:
    """The operating system's words for an error (pyarrow wraps them in a longer text)."""
    if exc.errno:
        return os.strerror(exc.errno)
    return exc.strerror or str(exc) or type(exc).__name__


def unwritable(target: str | os.PathLike[str], exc: OSError, what: str = "cannot write here") -> InputFileError:
    """The one-line error for an output the operating system would not let us write (code
    ``file-unwritable``): ``datasets/acled.csv: cannot write here: No space left on device``."""
    return InputFileError(f"{os.fspath(target)}: {what}: {_reason(exc)}", code="file-unwritable")


def _about_other_file(exc: OSError, target: str | os.PathLike[str], tmp: str | os.PathLike[str] | None) -> bool:
    """Whether ``exc`` names a file other than ``target`` or a temporary file of it (``.NAME.*`` beside
    it, as :func:`_temp_beside` names them): an input being read, say; not an error of this write."""
    if exc.filename is None:
        return False
    name, target = os.fspath(exc.filename), os.fspath(target)
    if name in (target, os.fspath(tmp) if tmp is not None else target):
        return False
    if os.path.abspath(target).startswith(os.path.abspath(name).rstrip(os.sep) + os.sep):
        return False  # a folder the target is to be written in (creating it, say)
    folder, base = os.path.split(target)
    return not (os.path.dirname(name) == folder and os.path.basename(name).startswith(f".{base}."))


@contextlib.contextmanager
def writing(target: str | os.PathLike[str], tmp: str | os.PathLike[str] | None = None) -> Iterator[None]:
    """Turn an :class:`OSError` raised while writing ``target`` (through its temporary file ``tmp``)
    into the one-line ``file-unwritable`` error: a full disk, a refused permission or an I/O error is
    a message, never a traceback. Errors that name another file (an input being read) pass unchanged.
    """
    try:
        yield
    except OSError as exc:
        if _about_other_file(exc, target, tmp):
            raise
        raise unwritable(target, exc) from None


def _temp_beside(target: Path) -> Path:
    """A new temporary file in the target's folder, with the permissions a plain open() would give.

    (mkstemp creates files readable by the owner only; published datasets must be readable as usual.)
    An output path that cannot be written (a folder, a file where a folder should be, no permission)
    is a one-line :class:`InputFileError`, found before any work is published.
    """
    if target.is_dir():
        raise InputFileError(f"{target}: is a folder; give a file name to write to", code="file-unwritable")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise unwritable(target, exc) from None
    try:
        os.fchmod(fd, _MODE)
    finally:
        os.close(fd)
    return Path(tmp)


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success it replaces the target.

    An :class:`OSError` while the temporary file is written, flushed or renamed (a full disk, a
    permission, an I/O error) becomes the one-line ``file-unwritable`` error (:func:`writing`); the
    target is left as it was and the temporary file is removed.
    """
    target = Path(target)
    tmp_path = _temp_beside(target)
    try:
        with writing(target, tmp_path):
            yield tmp_path
            _fsync_file(tmp_path)
            os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def atomic_write_bytes(target: str | os.PathLike[str], data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(target: str | os.PathLike[str], text: str) -> None:
    atomic_write_bytes(target, text.encode("utf-8"))


JOURNAL_NAME = ".incidentkit-publish.json"
_JOURNAL_VERSION = 1


def fault_point(name: str) -> None:
    """A named moment of publishing where the fault-injection tests can kill the process.

    ``INCIDENTKIT_FAULT=<name>`` makes the process SIGKILL itself there, exactly as a power cut or the
    OOM killer would; the tests then check that the next command finds the old or the new dataset.
    Unset (always, outside the tests), this is one dictionary lookup.
    """
    if os.environ.get("INCIDENTKIT_FAULT") == name:  # pragma: no cover - the process dies here
        import signal

        os.kill(os.getpid(), signal.SIGKILL)


def _fsync_dir(folder: Path) -> None:
    """Make renames in ``folder`` durable (a rename is only on disk once its directory is)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory handles
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - file systems that refuse fsync on a directory
        pass
    finally:
        os.close(fd)


class StagedFiles:
    """Stage several outputs, then publish them all, or none: crash-consistent through a journal.

    Each output is written to a temporary file beside its target. Publishing then (1) makes every
    staged file durable, (2) writes a journal naming every rename to do (``.incidentkit-publish.json``
    in the output folder), (3) moves each old file aside and the new one into place, (4) removes the
    journal, which is the moment the new set becomes the dataset, and (5) deletes the old files.
    A process killed at any moment leaves either no journal (the old set is whole; only temporary files
    are left, and :func:`recover` removes them) or a journal whose staged files are all complete, which
    :func:`recover` rolls forward to the new set. An error while renaming (not a kill) puts the old set
    back before the error is raised.

    >>> with StagedFiles("out") as staged:                   # doctest: +SKIP
    ...     write_parquet(table, staged.path("out/incidents.parquet"))
    ...     write_csv(table, staged.path("out/acled.csv"))
    """

    def __init__(self, folder: str | os.PathLike[str] | None = None) -> None:
        self._folder = Path(folder) if folder is not None else None
        self._staged: list[tuple[Path, Path]] = []

    def path(self, target: str | os.PathLike[str]) -> Path:
        """A new temporary file that becomes ``target`` when the set is published."""
        tmp = _temp_beside(Path(target))
        self._staged.append((tmp, Path(target)))
        return tmp

    def temp_for(self, target: str | os.PathLike[str]) -> Path | None:
        """Where ``target`` is staged, so a later output (a checksum, a manifest) can read its bytes."""
        for tmp, staged_target in self._staged:
            if staged_target == Path(target):
                return tmp
        return None

    def write(self, target: str | os.PathLike[str], writer: Callable[[Path], object]) -> Path:
        tmp = self.path(target)
        with writing(target, tmp):
            writer(tmp)
        return tmp

    def __enter__(self) -> "StagedFiles":
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        try:
            if isinstance(exc, OSError):  # a writer's error that escaped unmapped: still one line
                target = self._target_of(exc.filename)
                if target is not None or exc.filename is None:
                    where = target or self._folder or (self._journal_folder() if self._staged else "output")
                    raise unwritable(where, exc) from None
            if exc_type is None and self._staged:
                for tmp, target in self._staged:
                    with writing(target, tmp):
                        _fsync_file(tmp)
                fault_point("staged")
                self._publish()
        finally:
            for tmp, _ in self._staged:
                with contextlib.suppress(OSError):
                    tmp.unlink()

    def _target_of(self, filename: object) -> Path | None:
        if not isinstance(filename, (str, bytes, os.PathLike)):
            return None
        name = os.fsdecode(filename)
        for tmp, target in self._staged:
            if name in (os.fspath(tmp), os.fspath(target)):
                return target
        return None

    def _journal_folder(self) -> Path:
        if self._folder is not None:
            return self._folder
        parents = {target.parent for _, target in self._staged}
        # one folder holds the journal; outputs spread over several folders are published in order
        return sorted(parents)[0]

    def _publish(self) -> None:
        """Journal the renames, do them, then drop the journal (the commit point) and the old files."""
        for _, target in self._staged:
            if target.is_dir():
                raise InputFileError(f"{target}: is a folder; nothing was published", code="file-unwritable")
        folder = self._journal_folder()
        entries = []
        for tmp, target in self._staged:
            backup = target.with_name(f".{target.name}.{os.getpid()}.previous")
            entries.append({"tmp": str(tmp), "target": str(target), "backup": str(backup),
                            "existed": target.exists()})
        journal = folder / JOURNAL_NAME
        try:
            _write_journal(journal, "publishing", entries)
        except OSError as exc:  # a full disk, say: no rename was done, the old set stands as it was
            raise unwritable(folder, exc, "cannot write the publish journal") from None
        fault_point("journal-written")
        try:
            for i, entry in enumerate(entries):
                if entry["existed"]:
                    os.replace(entry["target"], entry["backup"])
                fault_point(f"renamed-aside-{i}")
                os.replace(entry["tmp"], entry["target"])
                fault_point(f"renamed-{i}")
            for parent in {Path(e["target"]).parent for e in entries}:
                _fsync_dir(parent)
        except OSError as exc:
            with contextlib.suppress(OSError):  # a full disk may refuse this journal too: the
                _write_journal(journal, "rolling-back", entries)  # undo below keeps either one valid
            try:
                _undo(entries)
                journal.unlink()
            except OSError as undo_exc:
                raise unwritable(folder, undo_exc, "cannot publish, nor restore the previous files (the next "
                                 "build or read of this folder completes the publish)") from None
            where = exc.filename or folder
            raise unwritable(where, exc, "cannot publish; the previous files were restored") from None
        journal.unlink()
        _fsync_dir(folder)
        fault_point("published")
        for entry in entries:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(entry["backup"])


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def _write_journal(journal: Path, state: str, entries: list[dict[str, Any]]) -> None:
    """Write the journal atomically and durably: it is what the next run trusts.

    On an error (a full disk) the journal is as it was and no temporary journal is left.
    """
    text = json.dumps({"journal": _JOURNAL_VERSION, "state": state, "pid": os.getpid(), "entries": entries},
                      indent=1)
    tmp = journal.with_name(journal.name + ".tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, journal)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_dir(journal.parent)


def _undo(entries: list[dict[str, Any]]) -> None:
    """Undo a failed publish by reversing its renames: each new file back to its staged name, each old
    file back from its backup.

    Every state this passes through is one the journal describes, whichever journal is on disk: with
    the publishing journal (when the disk was too full for the rolling-back one) a kill midway is
    rolled forward to the new set, with the rolling-back journal rolled back to the old one.
    """
    for entry in reversed(entries):
        tmp, target, backup = Path(entry["tmp"]), Path(entry["target"]), Path(entry["backup"])
        if not tmp.exists() and (backup.exists() or not entry["existed"]) and target.exists():
            os.replace(target, tmp)  # the new file was renamed into place: take it back out
        if backup.exists():
            os.replace(backup, target)
    for parent in {Path(e["target"]).parent for e in entries}:
        _fsync_dir(parent)


def _roll_forward(entries: list[dict[str, Any]]) -> None:
    """Finish an interrupted publish: every staged file was complete before the journal was written."""
    for entry in entries:
        tmp, target, backup = Path(entry["tmp"]), Path(entry["target"]), Path(entry["backup"])
        if not tmp.exists():
            continue  # this rename was done
        if entry["existed"] and target.exists() and not backup.exists():
            os.replace(target, backup)
        os.replace(tmp, target)
    for parent in {Path(e["target"]).parent for e in entries}:
        _fsync_dir(parent)


def _roll_back(entries: list[dict[str, Any]]) -> None:
    """Put the old set back: each old file from its backup, each new file that had no old one removed."""
    for entry in reversed(entries):
        target, backup = Path(entry["target"]), Path(entry["backup"])
        if backup.exists():
            os.replace(backup, target)
        elif not entry["existed"] and not Path(entry["tmp"]).exists():
            with contextlib.suppress(FileNotFoundError):
                target.unlink()
    for parent in {Path(e["target"]).parent for e in entries}:
        _fsync_dir(parent)


# what a killed run leaves: staged files (.NAME.PID.RANDOM.tmp) and old outputs moved aside (.NAME.PID.previous)
_LEFTOVER = re.compile(r"^\..+\.(\d+)\.(?:[^.]+\.tmp|previous)$")


def _alive(pid: int) -> bool:
    """Whether a process with this id runs: a live writer's temporary files are not leftovers."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists but belongs to someone else
        return True
    return True


def _leftovers(folder: Path) -> list[Path]:
    found = []
    for p in folder.glob(".*"):
        m = _LEFTOVER.match(p.name)
        if (m and not _alive(int(m.group(1)))) or p.name == JOURNAL_NAME + ".tmp":
            found.append(p)
    return sorted(found)


def recover(folder: str | os.PathLike[str]) -> list[str]:
    """Complete or undo an interrupted publish in ``folder`` and remove what it left behind.

    Call with the folder's lock held (:func:`incidentkit.lock.output_lock` does). Returns one line per
    thing done, for the command to print; an empty list when the folder was clean.
    """
    folder = Path(folder)
    notes: list[str] = []
    journal = folder / JOURNAL_NAME
    if journal.exists():
        try:
            data = json.loads(journal.read_text(encoding="utf-8"))
            state, entries = data["state"], list(data["entries"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InputFileError(f"{journal}: unreadable publish journal ({exc}); move it away and rebuild",
                                 code="file-unreadable") from None
        try:
            if state == "publishing":
                _roll_forward(entries)
                notes.append(f"{folder}: completed an interrupted build's publishing ({len(entries)} file(s) now "
                             "from that build)")
            else:
                _roll_back(entries)
                notes.append(f"{folder}: undid an interrupted publish ({len(entries)} file(s) restored)")
        except OSError as exc:
            raise InputFileError(f"{folder}: cannot recover an interrupted build: {exc.strerror or exc}",
                                 code="file-unwritable") from None
        for entry in entries:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(entry["backup"])
        journal.unlink()
        _fsync_dir(folder)
    leftovers = _leftovers(folder) if folder.is_dir() else []
    for p in leftovers:
        with contextlib.suppress(FileNotFoundError):
            p.unlink()
    if leftovers:
        notes.append(f"{folder}: removed {len(leftovers)} temporary file(s) left by an interrupted run")
    return notes
