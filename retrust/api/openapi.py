"""The API's OpenAPI document says what the server does, errors included.

Every operation can answer with the same few error shapes (``retrust.api.api``'s exception
handlers): 400 for a refused action, 401 without credentials, 404 for anything the caller may
not see, 409 when the state changed under the request, 422 when the body or query cannot be
parsed. Routes declare their success bodies; this adds the errors to every operation, once.
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI

ERROR_ITEM = {
    "type": "object",
    "properties": {
        "loc": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
        "msg": {"type": "string"},
    },
    "required": ["loc", "msg"],
}
FIELD_ERRORS = {
    "type": "object",
    "properties": {
        "detail": {"type": "array", "items": {"$ref": "#/components/schemas/ErrorItem"}}
    },
    "required": ["detail"],
}
MESSAGE = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
ERRORS: dict[str, tuple[str, str]] = {
    "400": ("The request was refused as sent; `loc` names the field at fault.", "FieldErrors"),
    "401": ("Sign in, or send an API token.", "Message"),
    "404": ("Not found, or not yours to see.", "Message"),
    "409": ("The case or record changed; nothing was saved.", "AnyError"),
    "422": ("The body or query could not be read; `loc` names the field.", "FieldErrors"),
}


class DocumentedAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        schemas["ErrorItem"] = ERROR_ITEM
        schemas["FieldErrors"] = FIELD_ERRORS
        schemas["Message"] = MESSAGE
        # A conflict carries field errors, or a message with the newer version attached.
        schemas["AnyError"] = {"type": "object", "required": ["detail"]}
        for methods in schema["paths"].values():
            for operation in methods.values():
                # Ninja keys responses by int; the document's keys are strings.
                responses = {str(k): v for k, v in operation.get("responses", {}).items()}
                operation["responses"] = responses
                for status, (description, shape) in ERRORS.items():
                    if status in responses:
                        continue
                    responses[status] = {
                        "description": description,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": f"#/components/schemas/{shape}"}
                            }
                        },
                    }
        return schema
