"""CLI commands for agree (filled in by its issue)."""

commands: list = []
