"""incidentkit.heap: bulk loops freeze the long-lived heap and always give it back."""

from __future__ import annotations

import gc
import threading

import pytest

from incidentkit.heap import long_lived_frozen


def test_frozen_within_and_given_back_after() -> None:
    base = gc.get_freeze_count()
    with long_lived_frozen():
        assert gc.get_freeze_count() > base
        with long_lived_frozen():  # nested: still frozen, unfrozen only by the outer block
            pass
        assert gc.get_freeze_count() > base
    assert gc.get_freeze_count() == 0


def test_given_back_after_an_error() -> None:
    with pytest.raises(ValueError), long_lived_frozen():
        raise ValueError("boom")
    assert gc.get_freeze_count() == 0


def test_garbage_made_inside_is_collected_inside() -> None:
    class Node:
        pass

    with long_lived_frozen():
        a, b = Node(), Node()
        a.other, b.other = b, a  # a cycle made during the loop
        del a, b
        assert gc.collect() >= 2


def test_concurrent_blocks_unfreeze_when_the_last_ends() -> None:
    inside, release = threading.Event(), threading.Event()

    def other() -> None:
        with long_lived_frozen():
            inside.set()
            release.wait(5)

    t = threading.Thread(target=other)
    with long_lived_frozen():
        t.start()
        inside.wait(5)
    assert gc.get_freeze_count() > 0  # the other thread's block is still open
    release.set()
    t.join(5)
    assert gc.get_freeze_count() == 0
