"""Helpers for API tests of every app: the error body every client gets, and response bodies checked
against the OpenAPI schema (the ``openapi_schema`` fixture in ``tests/conftest.py``)."""

SUPERSCRIPT_TWO = "\u00b2"  # "²".isdigit() is True, but int("²") raises ValueError
HUGE = "9" * 25  # an id too large for any database integer


def assert_error(r, status: int, field: str | None = None) -> dict:
    """``r`` is the error body every client gets (``message``, ``code``, ``fields``) with ``status``, in
    words (no Python repr), naming ``field`` when given. Returns the body."""
    assert r.status_code == status, (r.status_code, r.content[:300])
    body = r.json()
    assert set(body) == {"message", "code", "fields"}
    assert body["message"] and "ErrorDetail" not in body["message"]
    if field is not None:
        assert field in body["fields"], body
    for messages in body["fields"].values():
        assert all("ErrorDetail" not in m and not m.startswith("{") for m in messages), body
    return body


def as_json_schema(node):
    """OpenAPI 3.0 ``nullable: true`` as JSON Schema (``anyOf`` with null), recursively."""
    if isinstance(node, list):
        return [as_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: as_json_schema(v) for k, v in node.items()}
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


def assert_gets_match_the_schema(schema: dict, client, urls: dict[str, dict], ids: dict) -> None:
    """Each ``path: params`` of ``urls`` (a path as the schema names it, filled from ``ids``) answers
    ``client`` a 200 whose body is what the schema documents."""
    import jsonschema

    components = as_json_schema(schema["components"])
    for path, params in urls.items():
        r = client.get(path.format(**ids), params)
        assert r.status_code == 200, (path, r.content[:300])
        body_schema = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        root = {**as_json_schema(body_schema), "components": components}
        validator = jsonschema.Draft7Validator(root, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
        errors = [e.message for e in validator.iter_errors(r.json())]
        assert not errors, (path, errors[:3])
