from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from core.jsonschema import strict_json_schema


class Link(BaseModel):
    url: str = Field(max_length=200, pattern="^https://")
    label: str | None = None


class Page(BaseModel):
    """A page of links."""

    kind: Literal["page"]
    title: str = Field(description="Shown on top")
    rank: int = Field(default=0, ge=0)
    links: list[Link]
    main: Link | None


def test_it_inlines_references_and_requires_every_property() -> None:
    schema = strict_json_schema(Page.model_json_schema())

    assert "$defs" not in schema
    assert schema["required"] == ["kind", "title", "rank", "links", "main"]
    assert schema["additionalProperties"] is False
    link = schema["properties"]["links"]["items"]
    assert link == {
        "type": "object",
        "properties": {
            "url": {"type": "string"},
            "label": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        },
        "required": ["url", "label"],
        "additionalProperties": False,
    }
    assert schema["properties"]["main"] == {"anyOf": [link, {"type": "null"}]}


def test_it_keeps_types_descriptions_and_choices_and_drops_bounds() -> None:
    properties = strict_json_schema(Page.model_json_schema())["properties"]

    assert properties["kind"] == {"type": "string", "enum": ["page"]}
    assert properties["title"] == {"type": "string", "description": "Shown on top"}
    assert properties["rank"] == {"type": "integer"}


def test_a_single_constant_becomes_a_one_value_enum() -> None:
    assert strict_json_schema({"const": "page", "type": "string"}) == {
        "type": "string",
        "enum": ["page"],
    }


def test_it_does_not_change_its_input() -> None:
    schema = Page.model_json_schema()
    before = repr(schema)

    strict_json_schema(schema)

    assert repr(schema) == before
