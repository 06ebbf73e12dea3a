"""`.env.example` lists every setting the code reads from the environment."""

import re

from tests.conftest import REPO


def test_every_environment_setting_is_in_env_example():
    sources = list((REPO / "config").rglob("*.py")) + [REPO / "deploy" / "gunicorn.conf.py"]
    pattern = re.compile(
        r"""env(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]+)["']|os\.environ\.get\(\s*["']([A-Z][A-Z0-9_]+)["']"""
    )
    used = {a or b for src in sources for a, b in pattern.findall(src.read_text())}
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (REPO / ".env.example").read_text(), re.M))
    assert used, "no settings found: the pattern is broken"
    assert used - listed == set(), "settings missing from .env.example"
