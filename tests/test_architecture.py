"""The import graph keeps the shape the README describes (STYLE.md, "Seams between apps").

Imports point from consumer to producer along the data: ``cases -> recognition -> {incidents,
orders} -> accounts -> core``. The hand-offs that run the other way live in ``workflows/``, which only
entry points import (APIs, views, admin, forms, Celery tasks, management commands, URL modules, app
configs). Read from the source with ``ast``: nothing is imported to check it."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOMAIN_APPS = (
    "core",
    "accounts",
    "incidents",
    "orders",
    "recognition",
    "cases",
    "notifications",
    "people",
    "dashboards",
)
PROJECT = (*DOMAIN_APPS, "workflows", "config")
# What each domain app may import (itself aside): the layering, transitively closed.
ALLOWED = {
    "core": set(),
    "accounts": {"core"},
    "incidents": {"accounts", "core"},
    "orders": {"accounts", "core"},
    "recognition": {"incidents", "orders", "accounts", "core"},
    "cases": {"recognition", "incidents", "orders", "accounts", "core"},
    # Above the data: they read every app and nothing reads them but entry points and workflows.
    "notifications": {"cases", "recognition", "incidents", "orders", "accounts", "core"},
    "people": {"cases", "recognition", "incidents", "orders", "accounts", "core"},
    "dashboards": {"people", "notifications", "cases", "recognition", "incidents", "orders", "accounts", "core"},
}
ENTRY_POINT_NAMES = {"apis", "views", "admin", "forms", "tasks", "urls", "portal_urls", "apps"}
FACE_LIBRARIES = ("deepface", "dlib")


def _modules():
    for app in (*DOMAIN_APPS, "workflows"):
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts:
                continue
            yield ".".join(p for p in parts if p != "__init__"), path


def _is_entry_point(module: str) -> bool:
    parts = module.split(".")
    leaf = parts[-1]
    return (
        leaf in ENTRY_POINT_NAMES
        or leaf.endswith(("_apis", "_views", "_admin"))
        or "apis" in parts[1:-1]
        or "admin" in parts[1:-1]
        or "management" in parts
    )


def _imports(path: Path):
    """(imported module, line, at module level?) for each import in the file."""
    tree = ast.parse(path.read_text(), filename=str(path))
    top = set(map(id, tree.body))
    guarded = {id(n) for stmt in tree.body if isinstance(stmt, ast.If) for n in ast.walk(stmt)}  # TYPE_CHECKING
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            yield name, node.lineno, id(node) in top or id(node) in guarded


MODULES = dict(_modules())
IMPORTS = {module: list(_imports(path)) for module, path in MODULES.items()}


def _app(name: str) -> str:
    return name.split(".")[0]


def test_domain_code_imports_along_the_data_only():
    wrong = []
    for module, imports in IMPORTS.items():
        app = _app(module)
        if app == "workflows" or _is_entry_point(module):
            continue
        for name, line, _ in imports:
            target = _app(name)
            if target in PROJECT and target != app and target not in ALLOWED[app]:
                wrong.append(f"{module}:{line} imports {name}")
    assert not wrong, "imports against the flow of data (put the hand-off in workflows/):\n" + "\n".join(wrong)


def test_the_domain_apps_form_no_cycle():
    graph = {app: set() for app in DOMAIN_APPS}
    for module, imports in IMPORTS.items():
        app = _app(module)
        if app == "workflows" or _is_entry_point(module):
            continue
        graph[app] |= {_app(n) for n, _, _ in imports if _app(n) in DOMAIN_APPS and _app(n) != app}
    seen, stack = set(), []

    def visit(app):
        if app in stack:
            pytest.fail("import cycle: " + " -> ".join([*stack[stack.index(app) :], app]))
        if app in seen:
            return
        stack.append(app)
        for target in sorted(graph[app]):
            visit(target)
        stack.pop()
        seen.add(app)

    for app in DOMAIN_APPS:
        visit(app)


def test_only_entry_points_import_workflows():
    wrong = [
        f"{module}:{line}"
        for module, imports in IMPORTS.items()
        if _app(module) != "workflows" and not _is_entry_point(module)
        for name, line, _ in imports
        if _app(name) == "workflows"
    ]
    assert not wrong, "workflows/ is imported only by entry points:\n" + "\n".join(wrong)


def test_no_service_imports_another_apps_services():
    def is_services(name: str) -> bool:
        parts = name.split(".")
        return len(parts) > 1 and parts[1] == "services"

    wrong = [
        f"{module}:{line} imports {name}"
        for module, imports in IMPORTS.items()
        if is_services(module) or module.split(".")[-1] in ("processing", "research", "region", "selectors")
        for name, line, _ in imports
        if is_services(name) and _app(name) != _app(module)
    ]
    assert not wrong, "\n".join(wrong)


def test_nothing_but_entry_points_imports_a_task_module():
    wrong = [
        f"{module}:{line} imports {name}"
        for module, imports in IMPORTS.items()
        if not _is_entry_point(module) and _app(module) != "workflows"
        for name, line, _ in imports
        if name.split(".")[-1] == "tasks" or ".tasks." in name
    ]
    assert not wrong, "\n".join(wrong)


def test_project_imports_are_at_module_level():
    """A hand-off hidden in a function body is how the loop between the apps grew unseen. (An app
    config's ``ready`` registers the app's tasks: that is the one place allowed.)"""
    wrong = [
        f"{module}:{line} imports {name}"
        for module, imports in IMPORTS.items()
        if not module.endswith(".apps")
        for name, line, top in imports
        if not top and _app(name) in PROJECT
    ]
    assert not wrong, "import at module level:\n" + "\n".join(wrong)


def test_only_the_engine_imports_the_face_libraries():
    wrong = [
        f"{module}:{line} imports {name}"
        for module, imports in IMPORTS.items()
        if module != "recognition.engine"
        for name, line, _ in imports
        if _app(name) in FACE_LIBRARIES
    ]
    assert not wrong, "\n".join(wrong)


def test_the_check_sees_the_tree():
    """The checks above read real modules (a wrong root would pass them all vacuously)."""
    assert {"recognition.engine", "workflows.evidence", "cases.services", "incidents.apis"} <= set(MODULES)
    assert any(
        name == "deepface.modules" or name.startswith("deepface") for name, _, _ in IMPORTS["recognition.engine"]
    )
    assert _is_entry_point("incidents.apis") and not _is_entry_point("incidents.services")
