"""OpenAPI post-processing: document the one error shape on every operation, and every error code."""

import importlib
import importlib.util

from django.apps import apps
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from core.exceptions import ErrorCodes

ERROR_REF = {"$ref": "#/components/schemas/Error"}
ERROR_SCHEMA = {
    "type": "object",
    "description": "Every API error has this shape.",
    "properties": {
        "message": {"type": "string", "description": "What went wrong, in words a person can act on."},
        "code": {"type": "string", "description": "Stable code to branch on, e.g. 'token_expired', 'no_role'."},
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "Messages per input field; empty unless particular fields are at fault.",
        },
    },
    "required": ["message", "code", "fields"],
}
STANDARD_ERRORS = {
    "400": "Invalid input: see `fields`.",
    "401": "Not signed in, wrong credentials, or the token has expired (`token_expired`).",
    "403": "Signed in, but this role may not do this, or the account has no role (`no_role`).",
    "404": "Not found, or outside what this user may see.",
}


WRITE_ERRORS = {
    "409": "Conflicts with the current state: a duplicate, or a step already taken (see `code`).",
}
BODY_ERRORS = {
    "415": "Unsupported media type: send the body as one of this operation's content types.",
}


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            responses = operation.setdefault("responses", {})
            takes_query = any(p.get("in") == "query" for p in operation.get("parameters", []))
            for status, description in STANDARD_ERRORS.items():
                if status == "400" and method == "get" and not takes_query:
                    continue  # a GET answers 400 only for a bad query parameter (a filter, page, page_size)
                responses.setdefault(
                    status, {"description": description, "content": {"application/json": {"schema": ERROR_REF}}}
                )
            for status, response in responses.items():
                if str(status)[0] in "45" and "content" not in response:  # declared in a view with words only
                    response["content"] = {"application/json": {"schema": ERROR_REF}}
            extra = dict(WRITE_ERRORS) if method in ("post", "put", "patch", "delete") else {}
            if "requestBody" in operation:
                extra.update(BODY_ERRORS)
            for status, description in extra.items():
                responses.setdefault(
                    status, {"description": description, "content": {"application/json": {"schema": ERROR_REF}}}
                )
    return result


def error_code_enums() -> list[type[ErrorCodes]]:
    """Every error-code enum: ``core.exceptions.ErrorCode`` and each installed app's ``errors.py``
    (found by name, so that ``core`` imports no app)."""
    for config in apps.get_app_configs():
        name = f"{config.name}.errors"
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)
    found, todo = [], list(ErrorCodes.__subclasses__())
    while todo:
        enum = todo.pop(0)
        found.append(enum)
        todo.extend(enum.__subclasses__())
    return sorted(found, key=lambda e: (e.__module__ != "core.exceptions", e.__module__, e.__name__))


def error_codes_markdown() -> str:
    lines = ["## Error codes", "", "`code` in an error body is one of these (a client may branch on them):", ""]
    for enum in error_code_enums():
        area = enum.__module__.split(".")[0]
        lines.append(f"**{area}** ({enum.__name__})")
        lines.append("")
        for member in enum:
            lines.append(f"- `{member.value}`" + (f": {member.description}" if member.description else ""))
        lines.append("")
    return "\n".join(lines).rstrip()


def add_error_codes(result, generator, request, public):
    info = result.setdefault("info", {})
    info["description"] = f"{info.get('description', '').rstrip()}\n\n{error_codes_markdown()}"
    return result


def path_id(name: str) -> OpenApiParameter:
    """An id in the URL path, for ``extend_schema(parameters=[...])``."""
    return OpenApiParameter(name, OpenApiTypes.INT, OpenApiParameter.PATH)
