"""Atomic file writes: write to a temporary file beside the target, then rename over it.

A build interrupted at any moment (Ctrl-C, a full disk, a crash in an exporter) leaves either the old
file or the new one, never half of one. Several outputs can be staged together and published only when
every one of them was written (:class:`StagedFiles`).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Callable, Iterator

from incidentkit.errors import InputFileError


def _default_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


_MODE = _default_mode()


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
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise InputFileError(f"{target}: cannot write here: {exc.strerror or exc}", code="file-unwritable") from None
    os.fchmod(fd, _MODE)
    os.close(fd)
    return Path(tmp)


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success it replaces the target."""
    target = Path(target)
    tmp_path = _temp_beside(target)
    try:
        yield tmp_path
        with open(tmp_path, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def atomic_write_bytes(target: str | os.PathLike[str], data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(target: str | os.PathLike[str], text: str) -> None:
    atomic_write_bytes(target, text.encode("utf-8"))


class StagedFiles:
    """Stage several outputs, then publish them all, or none if anything failed before publishing.

    >>> with StagedFiles() as staged:                       # doctest: +SKIP
    ...     write_parquet(table, staged.path("out/incidents.parquet"))
    ...     write_csv(table, staged.path("out/acled.csv"))
    """

    def __init__(self) -> None:
        self._staged: list[tuple[Path, Path]] = []

    def path(self, target: str | os.PathLike[str]) -> Path:
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
        writer(tmp)
        return tmp

    def __enter__(self) -> "StagedFiles":
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        try:
            if exc_type is None:
                for tmp, _ in self._staged:
                    with open(tmp, "rb") as fh:
                        os.fsync(fh.fileno())
                self._publish()
        finally:
            for tmp, _ in self._staged:
                if tmp.exists():
                    tmp.unlink()

    def _publish(self) -> None:
        """Rename every staged file into place; if one rename fails, put every old file back.

        The old files are first moved aside (same folder, same file system: a rename), so a failure
        half-way restores the previous set instead of leaving a mix of old and new outputs.
        """
        for _, target in self._staged:
            if target.is_dir():
                raise InputFileError(f"{target}: is a folder; nothing was published", code="file-unwritable")
        done: list[tuple[Path, Path | None]] = []
        try:
            for tmp, target in self._staged:
                backup = None
                if target.exists():
                    backup = target.with_name(f".{target.name}.{os.getpid()}.previous")
                    os.replace(target, backup)
                done.append((target, backup))
                os.replace(tmp, target)
        except OSError as exc:
            for target, backup in reversed(done):
                if backup is not None:
                    os.replace(backup, target)
                elif target.exists():
                    target.unlink()
            raise InputFileError(f"{exc.filename or 'output'}: cannot publish: {exc.strerror or exc}; the previous "
                                 "files were restored", code="file-unwritable") from None
        for _, backup in done:
            if backup is not None:
                backup.unlink()
