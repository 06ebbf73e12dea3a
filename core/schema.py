"""OpenAPI post-processing: document the one error shape on every operation."""

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
