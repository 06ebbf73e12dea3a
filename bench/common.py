"""What the benches that run the service in subprocesses share."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def manage(env: dict, *args: str) -> str:
    """``manage.py <args>`` in a subprocess with ``env``; its output, or a RuntimeError with its errors."""
    out = subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(out.stderr[-3000:])
    return out.stdout
