"""A long-running process's start-up objects, kept out of Python's full garbage collections.

A list request builds thousands of model instances whose caches point back at each other (an order's
prefetched prohibitions at the order): reference cycles that only the cyclic collector frees. Its full
(oldest-generation) collections also walk every object the process made at start-up, Django's and the
project's modules, URL patterns and templates: about 150,000 in a web process, some 100 ms a time, paid by
whichever request happens to trigger one. Measured on the orders API at national size (``bench.bench_scale``):
requests of 30 ms took 124-151 ms about one time in ten. After ``gc.freeze()`` those collections skip the
start-up objects and the same requests took 51-68 ms.

gunicorn calls ``freeze_startup_objects`` in each worker once the app is loaded (``deploy/gunicorn.conf.py``);
the lists bench calls it before timing, so that it times what the server does.
"""

import gc


def freeze_startup_objects() -> int:
    """Collect what is already garbage, then move every object left to the permanent generation that
    collections skip; the number of objects frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
