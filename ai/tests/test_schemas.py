from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import BaseModel

from ai import schemas

RECORDED = Path(__file__).parent / "fixtures" / "schemas"
OUTPUT_MODELS = [
    model
    for name, model in vars(schemas).items()
    if isinstance(model, type)
    and issubclass(model, BaseModel)
    and name.endswith("Out")
    and not name.startswith("_")
]


def test_every_output_model_has_a_recorded_schema() -> None:
    assert {model.__name__ for model in OUTPUT_MODELS} == {
        path.stem for path in RECORDED.glob("*.json")
    }


@pytest.mark.parametrize("model", OUTPUT_MODELS, ids=lambda model: model.__name__)
def test_the_strict_schema_matches_the_recorded_one(model: type[BaseModel]) -> None:
    # Each schema is the contract of a model call (its fingerprint is logged with every call):
    # a change must be deliberate, so re-record ai/tests/fixtures/schemas/ when it is.
    recorded = json.loads((RECORDED / f"{model.__name__}.json").read_text())

    assert schemas.strict_schema(model) == recorded
