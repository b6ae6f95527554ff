"""The OpenAPI 3.1 description of the tablet API, served at /api/v1/openapi.json."""

ERROR = {"$ref": "#/components/schemas/Error"}
SHEET = {"$ref": "#/components/schemas/Sheet"}


def _answer(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


REFUSALS = {
    "400": _answer("The X-CSRFToken header is missing or expired: reload the marking page.", ERROR),
    "401": _answer("Not signed in by a valid badge link (revoked or expired).", ERROR),
    "403": _answer("Not a judge's tablet, or the station is not assigned to this judge.", ERROR),
    "404": _answer("No such station or criterion: not a number, or not in the event's marking scheme.", ERROR),
    "409": _answer("A stale version, a reused key with another value, a submitted sheet or a locked event.", ERROR),
    "422": _answer("Not a number, below 0, above the maximum, off the step, or not a 0-3 score.", ERROR),
    "503": {
        **_answer("The database cannot be reached: nothing was stored; send the same change again later.", ERROR),
        "headers": {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}},
    },
}
# Every call passes the tablet's sign-in check and may meet a database that is down.
ALWAYS = {code: REFUSALS[code] for code in ("401", "403", "503")}
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
                "responses": {"200": _answer("The stations", {"$ref": "#/components/schemas/Stations"}), **ALWAYS},
            }
        },
        "/stations/{station}": {
            "get": {
                "summary": "One station's sheet: marks so far, with their versions",
                "parameters": [STATION],
                "responses": {"200": _answer("The sheet", SHEET), **ALWAYS, "404": REFUSALS["404"]},
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
                    **ALWAYS,
                    **{code: REFUSALS[code] for code in ("400", "404", "409")},
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
                "description": "A refusal in the reader's language; `field` names the part of the request at fault.",
            },
            "MarkChange": {
                "type": "object",
                "required": ["value", "base_version", "key"],
                "properties": {
                    "value": {
                        "type": "string",
                        "description": "A decimal as text (a mark, or a score 0-3): a JSON number is refused, "
                        "as binary floating point may already have changed it",
                    },
                    "base_version": {"type": "integer", "minimum": 0, "description": "The version changed; 0: none"},
                    "key": {"type": "string", "minLength": 1, "maxLength": 64, "description": "Unique per change"},
                },
            },
            "SavedMark": {
                "type": "object",
                "required": ["value", "version", "replayed"],
                "properties": {
                    "value": {"type": "string"},
                    "version": {"type": "integer"},
                    "replayed": {"type": "boolean"},
                },
            },
            "Sheet": {
                "type": "object",
                "required": ["station", "submitted", "marked", "total", "marks"],
                "properties": {
                    "station": {"type": "integer"},
                    "submitted": {"type": "boolean"},
                    "marked": {"type": "integer"},
                    "total": {"type": "integer"},
                    "marks": {
                        "type": "object",
                        "description": "By criterion id: the current value and its version",
                        "additionalProperties": {
                            "type": "object",
                            "required": ["value", "version"],
                            "properties": {"value": {"type": "string"}, "version": {"type": "integer", "minimum": 1}},
                        },
                    },
                },
            },
            "Stations": {
                "type": "object",
                "required": ["event", "stations"],
                "properties": {
                    "event": {
                        "type": "object",
                        "required": ["code", "name"],
                        "properties": {"code": {"type": "string"}, "name": {"type": "string"}},
                    },
                    "stations": {"type": "array", "items": SHEET},
                },
            },
        }
    },
}
