"""An input is never overwritten: the one check every command that writes makes before it writes.

A command given an output path that is one of its own inputs (``ingest acled events.csv -o
events.csv``, or the same file reached through a symbolic link or ``..``) would replace years of coding
or a downloaded export with its own output. :func:`refuse_overwriting_inputs` compares the paths a
command is about to write with the paths it reads, as the operating system sees them (symbolic links
and ``..`` resolved, the same file under two names found by :func:`os.path.samefile`), and refuses
with :class:`~incidentkit.errors.UsageError` (code ``output-is-input``, exit status 2) before anything
is written. It is called by the Python API (:func:`incidentkit.build`, the ingest functions,
:meth:`incidentkit.linking.LinkResult.write`, ...) so scripts are protected as the command line is.

An input may be a folder: then every output that would land in it (or in a folder below it) is
refused too, because the command reads that folder and would read its own output as input next time:
the exports of ``build --out`` pointed at the coded folder would replace a record named ``acled.csv``
there, or be read as coded records by the next build.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from incidentkit.errors import UsageError

__all__ = ["refuse_overwriting_inputs"]

PathLike = str | os.PathLike[str]


def _real(path: PathLike) -> str:
    """The path as the operating system resolves it: absolute, symbolic links and ``..`` followed."""
    return os.path.realpath(os.path.abspath(os.fspath(path)))


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def refuse_overwriting_inputs(outputs: Iterable[PathLike], inputs: Iterable[PathLike | None]) -> None:
    """Raise ``UsageError`` (code ``output-is-input``, exit status 2) when an output is one of the inputs.

    ``outputs`` are the files a command is about to write; ``inputs`` the files and folders it reads
    (``None`` entries are skipped, so optional inputs can be passed as they are). An output is refused
    when it is an input file (the same path once links and ``..`` are resolved, or the same file on
    disk), or when it lies in an input folder. Call it before any work is written, e.g.
    ``refuse_overwriting_inputs([out], [source_csv, gazetteer_dir])``.
    """
    outs = [(Path(o), _real(o)) for o in outputs]
    if not outs:
        return
    existing: dict[tuple[int, int], Path] = {}
    for out, _ in outs:
        try:
            st = os.stat(out)
        except OSError:
            continue
        if not stat.S_ISDIR(st.st_mode):
            existing[(st.st_dev, st.st_ino)] = out
    folders: list[Path] = []
    for raw in inputs:
        if raw is None:
            continue
        inp = Path(raw)
        try:
            st = os.stat(inp)
        except OSError:
            continue  # an input that does not exist cannot be overwritten (the command reports it)
        if stat.S_ISDIR(st.st_mode):
            folders.append(inp)
            continue
        # an output that is this file on disk: itself, through a link or '..', or a second hard link;
        # or a path that leads to it once its folders are made (``new/../events.csv``)
        hit = existing.get((st.st_dev, st.st_ino))
        if hit is None:
            real_in = _real(inp)
            hit = next((out for out, real_out in outs if real_out == real_in), None)
        if hit is not None:
            raise _refusal(hit, inp, folder=False)
    for folder in folders:
        real_in = _real(folder)
        inside = [out for out, real_out in outs if _inside(real_out, real_in)]
        if inside:  # name an output that would replace a file there, if one would
            hit = next((out for out in inside if out in existing.values()), inside[0])
            raise _refusal(hit, folder, folder=True, replaces=hit in existing.values())


def _refusal(out: Path, inp: Path, *, folder: bool, replaces: bool = False) -> UsageError:
    if folder:
        where = f"would replace a file in {inp}" if replaces else f"lies in {inp}"
        text = (f"{out}: {where}, a folder this command reads its input from (the next run would read it as "
                "input); choose an output outside it")
    else:
        how = "" if os.fspath(out) == os.fspath(inp) else " (the same file, through a link or '..')"
        text = f"{out}: is the input {inp}{how}; an input is never overwritten: choose another output path"
    return UsageError(f"{text} (nothing was written)", code="output-is-input")
