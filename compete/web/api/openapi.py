"""The OpenAPI 3.1 description of the tablet API, served at /api/v1/openapi.json."""

ERROR = {"$ref": "#/components/schemas/Error"}
SHEET = {"$ref": "#/components/schemas/Sheet"}


def _answer(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


REFUSALS = {
    "401": _answer("Not signed in by a valid badge link (revoked or expired).", ERROR),
    "403": _answer("Not a judge's tablet, or the station is not assigned to this judge.", ERROR),
    "404": _answer("No such criterion in the event's marking scheme.", ERROR),
    "409": _answer("A stale version, a reused key with another value, a submitted sheet or a locked event.", ERROR),
    "422": _answer("Not a number, below 0, above the maximum, off the step, or not a 0-3 score.", ERROR),
}
STATION = {"name": "station", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}

SPEC = {
    "openapi": "3.1.0",
    "info": {
        "title": "compete tablet API",
        "version": "1",
        "description": "Mark entry for judges' tablets. The tablet signs in by the judge's badge link (a session "
        "cookie); changes carry the X-CSRFToken header of the marking page. Every change has its own key: "
        "sent twice, it is stored once.",
    },
    "servers": [{"url": "/api/v1"}],
    "paths": {
        "/stations": {
            "get": {
                "summary": "The judge's stations with their progress",
                "responses": {"200": _answer("The stations", {"type": "object"}), "401": REFUSALS["401"]},
            }
        },
        "/stations/{station}": {
            "get": {
                "summary": "One station's sheet: marks so far, with their versions",
                "parameters": [STATION],
                "responses": {"200": _answer("The sheet", SHEET), "403": REFUSALS["403"]},
            }
        },
        "/stations/{station}/marks/{criterion}": {
            "put": {
                "summary": "Store one mark as a new version",
                "parameters": [
                    STATION,
                    {"name": "criterion", "in": "path", "required": True, "schema": {"type": "integer"}},
                ],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MarkChange"}}},
                },
                "responses": {
                    "200": _answer(
                        "Stored, or already stored under this key", {"$ref": "#/components/schemas/SavedMark"}
                    ),
                    **REFUSALS,
                },
            }
        },
        "/stations/{station}/submit": {
            "post": {
                "summary": "Submit a complete station; only the chief judge can reopen it",
                "parameters": [STATION],
                "responses": {
                    "200": _answer("Submitted", SHEET),
                    "403": REFUSALS["403"],
                    "409": REFUSALS["409"],
                    "422": _answer("Criteria still to mark", ERROR),
                },
            }
        },
    },
    "components": {
        "schemas": {
            "Error": {
                "type": "object",
                "required": ["error"],
                "properties": {"error": {"type": "string"}, "field": {"type": ["string", "null"]}},
            },
            "MarkChange": {
                "type": "object",
                "required": ["value", "base_version", "key"],
                "properties": {
                    "value": {"type": "string", "description": "A decimal as text (a mark, or a score 0-3)"},
                    "base_version": {"type": "integer", "minimum": 0, "description": "The version changed; 0: none"},
                    "key": {"type": "string", "maxLength": 64, "description": "Unique per change"},
                },
            },
            "SavedMark": {
                "type": "object",
                "properties": {
                    "value": {"type": "string"},
                    "version": {"type": "integer"},
                    "replayed": {"type": "boolean"},
                },
            },
            "Sheet": {
                "type": "object",
                "properties": {
                    "station": {"type": "integer"},
                    "submitted": {"type": "boolean"},
                    "marked": {"type": "integer"},
                    "total": {"type": "integer"},
                    "marks": {"type": "object", "additionalProperties": {"type": "object"}},
                },
            },
        }
    },
}
