"""The JSON Schemas editors use, and the key tables of the docs, come from the field tables
validation itself reads: they cannot drift from what counterpoint accepts."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from counterpoint.brief.brieffields import BRIEF_FIELDS
from counterpoint.brief.records import SOURCE_FIELDS_YAML
from counterpoint.brief.vocab import CSL_DATE_VARS, CSL_NAME_VARS, CSL_TEXT_VARS
from counterpoint.cli import editorschema
from counterpoint.cli.main import main
from counterpoint.render.manifest import MANIFEST_FIELDS
from counterpoint.render.templates import builtin_root

from .conftest import ROOT

SCHEMAS = ROOT / "docs" / "schema"


def _yaml(path: Path) -> Any:
    """A YAML file as the YAML language server sees it (YAML 1.2: a date is a string)."""

    def plain(value: Any) -> Any:
        if isinstance(value, datetime.date):
            return value.isoformat()
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    return plain(yaml.safe_load(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("name", editorschema.NAMES)
def test_shipped_schemas_are_current(name: str) -> None:
    """docs/schema/ is what `counterpoint schema NAME` prints (regenerate with it)."""
    result = CliRunner().invoke(main, ["schema", name])
    assert result.exit_code == 0
    shipped = (SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8")
    assert json.loads(result.output) == json.loads(shipped)
    jsonschema.Draft202012Validator.check_schema(json.loads(shipped))


def test_every_shipped_file_passes_its_schema() -> None:
    brief = jsonschema.Draft202012Validator(editorschema.brief())
    source = jsonschema.Draft202012Validator(editorschema.source())
    manifest = jsonschema.Draft202012Validator(editorschema.manifest())
    briefs = [ROOT / "briefs" / "russian-far-east.yaml", ROOT / "tests/citations/brief.yaml"]
    for path in briefs:
        assert list(brief.iter_errors(_yaml(path))) == [], path
    for path in [*sorted((ROOT / "seeds").glob("*.yaml")), ROOT / "tests/citations/corpus.yaml"]:
        assert list(source.iter_errors(_yaml(path))) == [], path
    for path in sorted(builtin_root().glob("*/manifest.yaml")):
        assert list(manifest.iter_errors(_yaml(path))) == [], path


def test_a_typo_fails_the_schema_as_it_fails_validation() -> None:
    brief = _yaml(ROOT / "briefs" / "russian-far-east.yaml")
    brief["sumary"] = brief.pop("summary")
    errors = [
        e.message for e in jsonschema.Draft202012Validator(editorschema.brief()).iter_errors(brief)
    ]
    assert "'summary' is a required property" in errors
    assert any("'sumary' was unexpected" in e for e in errors)


def test_the_format_page_documents_every_key() -> None:
    """Every key of a brief and every counterpoint key of a source record is in the key
    tables of docs/format.md; every manifest key is in docs/templates.md."""
    fmt = (ROOT / "docs" / "format.md").read_text(encoding="utf-8")
    templates = (ROOT / "docs" / "templates.md").read_text(encoding="utf-8")
    csl = {*CSL_NAME_VARS, *CSL_DATE_VARS, *CSL_TEXT_VARS}  # "every other CSL variable"
    assert [k for k in BRIEF_FIELDS if f"`{k}`" not in fmt] == []
    assert [k for k in SOURCE_FIELDS_YAML if k not in csl and f"`{k}`" not in fmt] == []
    assert [k for k in MANIFEST_FIELDS if f"`{k}`" not in templates] == []
