"""Helpers shared by the command modules: error handling, input paths and output conventions.

Every command follows one exit-status rule (docs/reference/exit-codes.md): 0 done, 1 the input data is
bad (or the work could not be done: an unwritable output, a failed download), 2 the command line is
wrong (a missing path, an unknown option, a bad option value). The pieces here are how a command keeps
to it without thinking about it: :class:`InputPath` for every path the command reads, and
:func:`handle_errors` around the command body.
"""

from __future__ import annotations

import functools
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


def handle_errors(func: F) -> F:
    """Turn :class:`IncidentkitError` into one line per problem, a one-line message and its exit code
    (1 bad data, 2 usage, from the exception class), never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except IncidentkitError as exc:
            for p in exc.problems:
                click.echo(p.format(), err=True)
            click.echo(f"error: {exc.message}", err=True)
            sys.exit(exc.exit_code)

    return wrapper  # type: ignore[return-value]
