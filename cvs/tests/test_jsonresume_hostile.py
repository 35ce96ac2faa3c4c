"""Hostile JSON Resume files: refused with a message, never a crash."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cvs.jsonresume import MAX_JSON_DEPTH, JsonResumeParseError, load_json
from cvs.models import CV

DEEP = '{"basics": {"name": "A"}, "work": ' + "[" * 100_000 + "]" * 100_000 + "}"
HUGE_INT = '{"basics": {"name": "A"}, "x": ' + "9" * 5000 + "}"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (DEEP, "depth"),
        ("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1), "depth"),
        (HUGE_INT, "number"),
        ('{"x": -' + "1" * 40 + "}", "number"),
        ('{"x": 1e999}', "number"),
        ('{"x": NaN}', "number"),
        ('{"x": -Infinity}', "number"),
        ('{"x": [1, 2', "syntax"),
    ],
)
def test_it_refuses_hostile_json(text: str, reason: str) -> None:
    with pytest.raises(JsonResumeParseError) as caught:
        load_json(text)
    assert caught.value.reason == reason


def test_it_reads_brackets_inside_strings_as_text() -> None:
    text = '{"basics": {"summary": "' + "[{" * 1000 + '\\" ]"}, "n": 12, "f": 1.5}'
    assert load_json(text)["basics"]["summary"].startswith("[{[{")
    nested = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert load_json(nested) == load_json(nested)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "message"),
    [
        (DEEP, "nests its data too deeply"),
        (HUGE_INT, "number too large"),
        ('{"basics": {"name": "A"}, "x": NaN}', "number too large"),
    ],
)
def test_the_import_answers_400_with_a_message(
    alice_client: Client, text: str, message: str
) -> None:
    upload = SimpleUploadedFile("resume.json", text.encode(), "application/json")
    response = alice_client.post("/cvs/import/json-resume/", {"file": upload})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CV.objects.exists()
