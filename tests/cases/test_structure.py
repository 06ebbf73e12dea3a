"""Cases imports along the data (recognition, orders, incidents, accounts, core) at module level, and its
domain modules never import the workflows package (entry points, such as the admin's reassign action, may:
tests/test_architecture.py)."""

import ast
from pathlib import Path

import cases

CASES = Path(cases.__file__).parent


def _modules():
    return [p for p in CASES.rglob("*.py") if "migrations" not in p.parts]


ENTRY_POINTS = {"admin.py", "apis.py", "views.py", "tasks.py", "portal_urls.py", "urls.py", "apps.py"}


def test_cases_domain_modules_never_import_workflows():
    for path in _modules():
        if path.name in ENTRY_POINTS:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(n == "workflows" or n.startswith("workflows.") for n in names), path


def test_cases_imports_only_at_module_level():
    for path in _modules():
        for func in ast.walk(ast.parse(path.read_text())):
            if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                hidden = [n for n in ast.walk(func) if isinstance(n, ast.Import | ast.ImportFrom)]
                assert not hidden, f"{path.name}: import inside {func.name}()"
