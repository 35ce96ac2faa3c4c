from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

ROOT = Path(__file__).resolve().parents[2]
SEED = Path(__file__).parent / "fixtures" / "seed-database-schema.md"
MAPPING = ROOT / "docs" / "schema.md"

ROW = re.compile(r"^\| `([\w.]+)` \| `([^`]+)` \|", re.M)


def seed_fields() -> dict[str, list[str]]:
    text = SEED.read_text()
    models: dict[str, list[str]] = {}
    for match in re.finditer(r"```prisma\nmodel (\w+) \{\n(.*?)\n\}", text, re.S):
        lines = (line.strip() for line in match.group(2).splitlines())
        models[match.group(1)] = [
            line.split()[0] for line in lines if line and not line.startswith(("//", "@@"))
        ]
    return models


def seed_models_without_fields() -> list[str]:
    text = SEED.read_text()
    named = re.findall(r"^\*\*\d+\. (\w+)\*\* :", text, re.M)
    subscription = re.findall(r"^- `(\w+)` - ", text, re.M)
    return named + subscription


def mapping() -> dict[str, str]:
    return dict(ROW.findall(MAPPING.read_text()))


def resolve(target: str) -> None:
    """Raise if a mapping target does not name a real model (and field)."""
    if target == "dropped":
        return
    target = target.removeprefix("allauth:").removeprefix("reverse:")
    parts = target.split(".")
    model = apps.get_model(parts[0], parts[1])
    if len(parts) == 3:
        model._meta.get_field(parts[2])


def test_the_seed_copy_lists_every_model_family():
    assert len(seed_fields()) == 17
    assert len(seed_models_without_fields()) == 18


def test_every_seed_field_is_mapped():
    rows = mapping()
    missing = [
        f"{model}.{field}"
        for model, fields in seed_fields().items()
        for field in fields
        if f"{model}.{field}" not in rows
    ]
    assert missing == []


def test_every_seed_model_named_without_fields_is_mapped():
    rows = mapping()
    mapped_models = {key.split(".")[0] for key in rows}
    missing = [name for name in seed_models_without_fields() if name not in mapped_models]
    assert missing == []


@pytest.mark.parametrize(("seed", "target"), sorted(mapping().items()))
def test_every_target_exists(seed, target):
    try:
        resolve(target)
    except (LookupError, FieldDoesNotExist) as exc:
        pytest.fail(f"{seed} maps to {target}, which does not exist: {exc}")
