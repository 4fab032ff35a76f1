"""Helpers shared by the command modules: error handling, input paths and output conventions.

Every command follows one exit-status rule (docs/reference/exit-codes.md): 0 done, 1 the input data is
bad (or the work could not be done: an unwritable output, a failed download), 2 the command line is
wrong (a missing path, an unknown option, a bad option value). The pieces here are how a command keeps
to it without thinking about it: :class:`InputPath` for every path the command reads, and
:func:`handle_errors` around the command body.
"""

from __future__ import annotations

import errno
import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from incidentkit.errors import IncidentkitError
from incidentkit.records import display_path

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK = 0
EXIT_DATA = 1
EXIT_USAGE = 2

__all__ = ["EXIT_DATA", "EXIT_OK", "EXIT_USAGE", "InputPath", "display_path", "handle_errors"]


class InputPath(click.Path):
    """A path the command reads: it must exist, or click stops with a usage error (exit 2).

    A missing input is a mistake on the command line (a typo, the wrong folder), not bad data, so
    every command says so in the same words and with the same status, before any work starts. An
    input that exists but holds nothing usable (an empty folder, a CSV with only its header) is bad
    data, exit 1, reported by the command itself. ``hint`` is added to the message, e.g. which
    command writes the missing file.
    """

    def __init__(self, *, hint: str = "", file_okay: bool = True, dir_okay: bool = True) -> None:
        super().__init__(exists=True, file_okay=file_okay, dir_okay=dir_okay, path_type=Path)
        self.hint = hint

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter as exc:
            if self.hint:
                exc.message = f"{exc.message.rstrip('.')}; {self.hint}."
            raise


#: Errors that only a write can cause: a full disk or quota, a file past the size limit, a read-only mount.
_WRITE_ERRNOS = frozenset(getattr(errno, name) for name in ("ENOSPC", "EDQUOT", "EFBIG", "EROFS")
                          if hasattr(errno, name))


def error_line(exc: IncidentkitError) -> str:
    """The one-line form of an error: ``error: MESSAGE [code]`` (the code when the error has one)."""
    code = f" [{exc.code}]" if exc.code and not exc.message.rstrip().endswith(f"[{exc.code}]") else ""
    return f"error: {exc.message}{code}"


def os_error(exc: OSError) -> IncidentkitError:
    """An :class:`OSError` that no writer or reader turned into a message (the last resort: it is
    still one line with a stable code, never a traceback): ``file-unwritable`` when only a write can
    fail so (a full disk, a read-only mount), ``os-error`` otherwise."""
    reason = os.strerror(exc.errno) if exc.errno else (exc.strerror or str(exc) or type(exc).__name__)
    where = f"{os.fsdecode(exc.filename)}: " if exc.filename is not None else ""
    if exc.errno in _WRITE_ERRNOS:
        return IncidentkitError(f"{where}cannot write{' here' if where else ''}: {reason}", code="file-unwritable")
    return IncidentkitError(f"{where}{reason}", code="os-error")


def _silence_stdout() -> None:
    """After standard output failed (a full disk, a closed pipe), point it at /dev/null, so that the
    interpreter's last flush does not print a second error."""
    try:
        sys.stdout.flush()
    except OSError:
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):  # no real file descriptor (a test runner)
            pass


def handle_errors(func: F) -> F:
    """Turn :class:`IncidentkitError` into one line per problem, a one-line message with its code and
    the exit code (1 bad data, 2 usage, from the exception class), never a traceback.

    An :class:`OSError` that escaped every writer (standard output on a full disk, say) is one line
    too (:func:`os_error`), with exit status 1.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            result = func(*args, **kwargs)
            sys.stdout.flush()  # standard output on a full disk fails here, not after the exit status
            return result
        except IncidentkitError as exc:
            for p in exc.problems:
                click.echo(p.format(), err=True)
            click.echo(error_line(exc), err=True)
            sys.exit(exc.exit_code)
        except OSError as exc:
            _silence_stdout()
            click.echo(error_line(os_error(exc)), err=True)
            sys.exit(EXIT_DATA)

    return wrapper  # type: ignore[return-value]
