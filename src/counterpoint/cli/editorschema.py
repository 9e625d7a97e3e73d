"""JSON Schemas of briefs, source records and template-set manifests, for editors.

Derived from the field tables that validation itself uses (brieffields.BRIEF_FIELDS,
records.SOURCE_FIELDS_YAML, manifest.MANIFEST_FIELDS), so they cannot drift from what
counterpoint accepts. With the YAML language server (VS Code's YAML extension, and most
editors through it) a first line

    # yaml-language-server: $schema=../docs/schema/brief.schema.json

gives completion, hover help and checking while typing. `counterpoint schema NAME`
prints one; docs/schema/ holds them, and a test keeps those files current.
"""

from __future__ import annotations

from typing import Any

from counterpoint.brief.schema import JsonSchema, object_schema

DIALECT = "https://json-schema.org/draft/2020-12/schema"
NAMES = ("brief", "source", "manifest")


def brief() -> JsonSchema:
    from counterpoint.brief.brieffields import BRIEF_FIELDS
    from counterpoint.brief.records import SOURCE_FIELDS_YAML

    body = object_schema(BRIEF_FIELDS)
    body["properties"]["references"] = {
        "type": "array",
        "items": {"$ref": "#/$defs/record"},
        "description": "source records inline, the same shape as a bibliography file's",
    }
    body["$defs"] = {"record": object_schema(SOURCE_FIELDS_YAML, "a source record: a CSL item")}
    return _document("counterpoint brief (format 1)", body)


def source() -> JsonSchema:
    """A source-record file: one record, `references:` with a list, or a bare list."""
    from counterpoint.brief.records import SOURCE_FIELDS_YAML

    record = object_schema(SOURCE_FIELDS_YAML, "a source record: a CSL item")
    shape = {
        "anyOf": [
            {"$ref": "#/$defs/record"},
            {
                "type": "object",
                "properties": {
                    "references": {"type": "array", "items": {"$ref": "#/$defs/record"}}
                },
                "required": ["references"],
                "additionalProperties": False,
            },
            {"type": "array", "items": {"$ref": "#/$defs/record"}},
        ],
        "$defs": {"record": record},
    }
    return _document("counterpoint source records (CSL YAML)", shape)


def manifest() -> JsonSchema:
    from counterpoint.render.manifest import MANIFEST_FIELDS

    return _document("counterpoint template set manifest", object_schema(MANIFEST_FIELDS))


def schema(name: str) -> JsonSchema:
    """One of NAMES."""
    return {"brief": brief, "source": source, "manifest": manifest}[name]()


def _document(title: str, body: dict[str, Any]) -> JsonSchema:
    return {"$schema": DIALECT, "title": title, **body}
