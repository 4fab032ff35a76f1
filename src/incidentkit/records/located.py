"""Containers that remember where each value was written.

Loaders return ordinary dicts and lists (subclasses), so validation code reads naturally, while every
value keeps its line for error messages: ``mapping.line_of("fatalities")``.
"""

from __future__ import annotations

from typing import Any


class LocatedDict(dict):
    """A dict with the line of the mapping itself and of each key's value."""

    __slots__ = ("line", "lines")

    def __init__(self, line: int | None = None) -> None:
        super().__init__()
        self.line = line
        self.lines: dict[Any, int] = {}

    def line_of(self, key: Any) -> int | None:
        return self.lines.get(key, self.line)


class LocatedList(list):
    """A list with the line of the sequence and of each item."""

    __slots__ = ("line", "lines")

    def __init__(self, line: int | None = None) -> None:
        super().__init__()
        self.line = line
        self.lines: list[int] = []

    def line_of(self, index: int) -> int | None:
        return self.lines[index] if 0 <= index < len(self.lines) else self.line


def line_of(container: Any, key: Any) -> int | None:
    """Line of ``container[key]`` when the container knows it, else None."""
    getter = getattr(container, "line_of", None)
    return getter(key) if getter else None


def line(container: Any) -> int | None:
    return getattr(container, "line", None)
