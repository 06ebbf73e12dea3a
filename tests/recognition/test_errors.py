"""Recognition's error codes: one enum (``recognition.errors.RecognitionErrorCode``) with the strings
clients already branch on, used by every module of the app, and light enough for the sealed engine."""

import ast
from pathlib import Path

import recognition
from recognition.errors import RecognitionErrorCode

APP = Path(recognition.__file__).parent

# The strings clients know today: never change one.
KNOWN = {
    "corrupt_video",
    "no_frames",
    "video_too_long",
    "unreadable_image",
    "image_too_large",
    "no_face",
    "multiple_faces",
    "face_too_small",
    "face_engine_unavailable",
    "time_out_of_range",
    "invalid_box",
    "justification_too_short",
    "reason_required",
    "research_pending",
    "nothing_to_search",
    "timeout",
    "error",
    "worker_lost",
}


def test_the_codes_are_the_strings_clients_know_each_described():
    assert {code.value for code in RecognitionErrorCode} == KNOWN
    assert all(code.description for code in RecognitionErrorCode)
    assert RecognitionErrorCode.CORRUPT_VIDEO == "corrupt_video" and str(RecognitionErrorCode.TIMEOUT) == "timeout"


def _modules():
    return [p for p in APP.rglob("*.py") if "migrations" not in p.parts]


def test_no_module_passes_a_code_as_a_bare_string():
    """``code="no_face"`` (or ``reason_code = "worker_lost"``) instead of the enum is how codes drifted."""
    loose = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.keyword) and node.arg == "code" and isinstance(node.value, ast.Constant):
                loose.append(f"{path.name}:{node.value.lineno} code={node.value.value!r}")
            if isinstance(node, ast.Assign | ast.AugAssign) and isinstance(getattr(node, "value", None), ast.Constant):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names = [t.attr for t in targets if isinstance(t, ast.Attribute)]
                if "reason_code" in names and node.value.value:
                    loose.append(f"{path.name}:{node.lineno} reason_code={node.value.value!r}")
    assert not loose, loose


def test_the_enum_module_imports_only_core_exceptions():
    """The face engine imports it, and the engine must not pull in Django models."""
    tree = ast.parse((APP / "errors.py").read_text())
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert imported == {"core.exceptions"}
    engine_imports = {
        n.module for n in ast.walk(ast.parse((APP / "engine.py").read_text())) if isinstance(n, ast.ImportFrom)
    }
    assert "recognition.errors" in engine_imports and "recognition.models" not in engine_imports
