"""Every error code incidents answers with is a member of an enum (``IncidentErrorCode``, or core's), not a
loose string, and the OpenAPI description lists them."""

import ast
from pathlib import Path

import incidents
from core.schema import error_codes_markdown
from incidents.errors import IncidentErrorCode

INCIDENTS = Path(incidents.__file__).parent
TODAY = {
    "store_not_yours", "occurred_in_future", "duplicate_submission", "no_files", "too_many_files", "empty_file",
    "unsupported_type", "type_mismatch", "file_too_large", "video_unreadable", "video_no_frame", "duplicate_file",
    "invalid_status",
}  # fmt: skip


def _loose_codes(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call):
            continue
        values = [k.value for k in node.keywords if k.arg == "code"]
        if getattr(node.func, "attr", getattr(node.func, "id", "")) == "bad_file" and len(node.args) == 3:
            values.append(node.args[2])
        found += [f"{path.name}:{node.lineno}" for v in values if isinstance(v, ast.Constant)]
    return found


def test_no_loose_code_strings_in_incidents():
    paths = [p for p in INCIDENTS.rglob("*.py") if "migrations" not in p.parts]
    assert [where for path in paths for where in _loose_codes(path)] == []


def test_the_enum_keeps_todays_strings_each_described():
    assert TODAY <= {member.value for member in IncidentErrorCode}
    assert all(member.description for member in IncidentErrorCode)


def test_the_codes_are_listed_in_the_api_description():
    text = error_codes_markdown()
    assert "**incidents** (IncidentErrorCode)" in text
    for code in ("invalid_status_transition", "closing_reason_required", "duplicate_file"):
        assert f"- `{code}`: " in text
