import os

# One OpenBLAS thread, set before numpy loads it: the gallery search is one matrix-vector product per
# face, memory-bandwidth bound, and OpenBLAS waking its threads for each one cost more than it saved
# on the two-core machine (bench_recognition gallery: 38 ms at 1M templates on one thread, against
# 51 ms for numpy's einsum loop and 43 ms for faiss's flat index; see recognition/gallery.py).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

# Load the Celery app with Django so that @shared_task binds to it.
from config.celery import app as celery_app

__all__ = ("celery_app",)
