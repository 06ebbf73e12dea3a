"""The quality gates agree with what is installed: pre-commit runs the pinned ruff, django-upgrade targets
the pinned Django, ruff has the rules STYLE.md asks for, mypy runs with the Django and DRF plugins."""

import re
import tomllib

import django
import yaml

from tests.conftest import REPO


def _pin(requirements: str, package: str) -> str:
    match = re.search(rf"^{re.escape(package)}(?:\[[^\]]*\])?==(\S+)", (REPO / requirements).read_text(), re.M | re.I)
    assert match, f"{package} is not pinned in {requirements}"
    return match.group(1)


def _hooks() -> dict[str, tuple[str, dict]]:
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text())
    return {hook["id"]: (repo["rev"], hook) for repo in config["repos"] for hook in repo["hooks"]}


def test_pre_commit_runs_ruff_fix_ruff_format_and_django_upgrade_at_pinned_versions():
    hooks = _hooks()
    assert {"ruff-check", "ruff-format", "django-upgrade"} <= set(hooks)
    assert hooks["ruff-check"][0] == hooks["ruff-format"][0] == f"v{_pin('requirements-dev.txt', 'ruff')}"
    assert "--fix" in hooks["ruff-check"][1]["args"]
    django_version = _pin("requirements.txt", "Django")
    assert django_version == django.get_version()
    args = hooks["django-upgrade"][1]["args"]
    assert args[args.index("--target-version") + 1] == ".".join(django_version.split(".")[:2])
    assert re.fullmatch(r"v?\d+\.\d+\.\d+", hooks["django-upgrade"][0])  # a release, not a branch


def test_ruff_selects_the_django_timezone_and_bugbear_rules():
    ruff = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["ruff"]
    assert ruff["line-length"] == 120
    assert {"DJ", "DTZ", "B"} <= set(ruff["lint"]["select"])


def test_mypy_runs_with_the_django_and_drf_plugins_on_services_selectors_and_engine():
    tool = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]
    assert {"mypy_django_plugin.main", "mypy_drf_plugin.main"} <= set(tool["mypy"]["plugins"])
    assert tool["django-stubs"]["django_settings_module"] == "config.settings.test"
    files = tool["mypy"]["files"]
    assert (
        "recognition/engine.py" in files
        and any("services" in f for f in files)
        and any("selectors" in f for f in files)
    )
    for package in ("mypy", "django-stubs", "djangorestframework-stubs"):
        _pin("requirements-dev.txt", package)
    assert "typecheck:" in (REPO / "Makefile").read_text()
