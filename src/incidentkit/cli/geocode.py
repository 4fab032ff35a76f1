"""CLI commands for geocode (filled in by its issue)."""

commands: list = []
