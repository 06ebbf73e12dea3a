"""What the benches that run the service in subprocesses share."""

import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parent.parent


def manage(env: dict, *args: str) -> str:
    """``manage.py <args>`` in a subprocess with ``env``; its output, or a RuntimeError with its errors."""
    out = subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(out.stderr[-3000:])
    return out.stdout


def database(url: str, action: str) -> None:
    """Drop the PostgreSQL database ``url`` names (closing its connections), and with ``action`` "create"
    make it again, empty."""
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if action == "create":
            conn.execute(f'CREATE DATABASE "{name}"')
