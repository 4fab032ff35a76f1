"""The ``incidentkit`` command line: thin wrappers that parse arguments, call the Python API and print.

Each command group lives in its own module and exposes ``commands``; this module only collects them,
so adding a command never means editing a shared file beyond the list below.
"""

from __future__ import annotations

import importlib

import click

from incidentkit._version import __version__

_COMMAND_MODULES = ("records", "geocode", "export", "external", "crosswalk", "link", "agree", "actors", "draft",
                    "review")


EXIT_STATUS = ("Exit status, the same for every command: 0 done; 1 bad input data (an invalid record, "
               "a malformed file, no coded records); 2 usage error (a missing path, an unknown option, a bad "
               "option value). See docs/reference/exit-codes.md.")


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
             epilog=EXIT_STATUS)
@click.version_option(__version__, prog_name="incidentkit")
def main() -> None:
    """incidentkit: hand-coded conflict incidents -> a validated, geocoded, ACLED/UCDP-compatible dataset.

    \b
    Example:
        incidentkit validate datasets/coded
        incidentkit build
    """


for _name in _COMMAND_MODULES:
    _module = importlib.import_module(f"incidentkit.cli.{_name}")
    for _command in getattr(_module, "commands", []):
        main.add_command(_command)
