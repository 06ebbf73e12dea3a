"""Run every benchmark in bench/ and print one JSON object per benchmark.

The national-scale ones run on their own: ``bench_scale`` needs a database filled by ``bench.volume``
(half an hour to fill), and ``bench_workers`` and ``bench_purge`` take an hour or more at their full size.
"""

import importlib
import pkgutil
from pathlib import Path

ON_THEIR_OWN = {"bench_scale", "bench_workers", "bench_purge"}


def main() -> None:
    for module in sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)])):
        if module.startswith("bench_") and module not in ON_THEIR_OWN:
            importlib.import_module(f"bench.{module}").main()


if __name__ == "__main__":
    main()
