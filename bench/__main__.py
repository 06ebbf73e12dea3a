"""Run every benchmark in bench/ and print one JSON object per benchmark."""

import importlib
import pkgutil
from pathlib import Path


def main() -> None:
    for module in sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)])):
        if module.startswith("bench_"):
            importlib.import_module(f"bench.{module}").main()


if __name__ == "__main__":
    main()
