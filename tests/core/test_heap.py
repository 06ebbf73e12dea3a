"""``core.heap``: start-up objects are moved out of the reach of full garbage collections, and garbage made
afterwards is still collected."""

import gc
import weakref

from core.heap import freeze_startup_objects


class Node:
    pass


def test_start_up_objects_are_frozen_and_later_cycles_still_collected():
    kept = Node()
    try:
        frozen = freeze_startup_objects()
        assert frozen > 1000 and gc.get_freeze_count() > 1000  # frozen objects may still be freed by refcount
        assert not any(obj is kept for obj in gc.get_objects())  # in the permanent generation now
        cycle = Node()
        cycle.me = cycle
        gone = weakref.ref(cycle)
        del cycle
        gc.collect()
        assert gone() is None
    finally:
        gc.unfreeze()
