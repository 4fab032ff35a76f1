"""`incidentkit draft` (issue 14): being built; the command list is filled in by its module's author."""

from __future__ import annotations

commands: list = []
