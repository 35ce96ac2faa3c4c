from __future__ import annotations

import re
from pathlib import Path

from django.template import Context, Template
from django.utils import translation

from core import fragments


def test_the_key_varies_on_values_language_and_revision() -> None:
    base = fragments.fragment_key("doc", "rev1", [1, "abc"])

    assert base == fragments.fragment_key("doc", "rev1", [1, "abc"])
    assert base != fragments.fragment_key("doc", "rev1", [1, "abd"])
    assert base != fragments.fragment_key("doc", "rev2", [1, "abc"])
    assert base != fragments.fragment_key("list", "rev1", [1, "abc"])
    with translation.override("fr"):
        assert base != fragments.fragment_key("doc", "rev1", [1, "abc"])


def test_the_template_revision_follows_the_file(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text("<p>one</p>")
    before = fragments.template_digest(str(path))
    path.write_text("<p>two</p>")

    assert fragments.template_digest(str(path)) != before
    assert fragments.template_digest(None) == ""


def test_the_digest_is_stable_and_order_independent_for_keys() -> None:
    assert fragments.digest({"a": 1, "b": [1, 2]}) == fragments.digest({"b": [1, 2], "a": 1})
    assert fragments.digest({"a": 1}) != fragments.digest({"a": 2})


def test_a_cached_fragment_renders_once_and_takes_each_requests_token() -> None:
    template = Template(
        '{% load fitmycv_tags %}{% cachedfragment "t" n %}{{ text }}{% csrf_token %}'
        "{% endcachedfragment %}"
    )

    first = template.render(Context({"n": 1, "text": "first", "csrf_token": "token-a"}))
    second = template.render(Context({"n": 1, "text": "changed", "csrf_token": "token-b"}))

    assert "first" in first and 'value="token-a"' in first
    # Same vary values: the stored HTML, with this request's token.
    assert "first" in second and 'value="token-b"' in second
    assert str(fragments._placeholder) not in second


def test_a_fragment_served_once_comes_from_the_process_memory(monkeypatch) -> None:
    template = Template(
        '{% load fitmycv_tags %}{% cachedfragment "t" n %}{{ text }}{% endcachedfragment %}'
    )
    template.render(Context({"n": 1, "text": "first"}))

    class Unreachable:
        def get(self, *args, **kwargs):
            raise AssertionError("the shared cache was asked")

    monkeypatch.setattr(fragments, "cache", Unreachable())

    assert template.render(Context({"n": 1, "text": "changed"})) == "first"


def test_the_process_memory_drops_the_least_recently_used_past_its_budget() -> None:
    memory = fragments.LocalFragments(budget=10)
    memory.set("a", "aaaa")
    memory.set("b", "bbbb")
    memory.get("a")
    memory.set("c", "cccc")
    memory.set("huge", "x" * 11)

    assert memory.get("a") == "aaaa" and memory.get("c") == "cccc"
    assert memory.get("b") is None and memory.get("huge") is None
    assert memory.size == 8


def test_a_change_of_settings_empties_the_process_memory(settings) -> None:
    fragments.local.set("k", "html")

    settings.LANGUAGES = [("en", "English")]

    assert fragments.local.get("k") is None


def test_a_nested_fragment_leaves_each_requests_tokens_to_the_outer_one() -> None:
    template = Template(
        '{% load fitmycv_tags %}{% cachedfragment "outer" n %}{% cachedfragment "inner" n %}'
        "{% csrf_token %}{% submission_token %}{% endcachedfragment %}{% endcachedfragment %}"
    )

    first = template.render(Context({"n": 1, "csrf_token": "token-a"}))
    second = template.render(Context({"n": 1, "csrf_token": "token-b"}))

    def submission(html: str) -> str:
        match = re.search(r'name="[^"]+" value="([^"]+)">$', html)
        assert match, html
        return match.group(1)

    assert 'value="token-a"' in first and 'value="token-b"' in second
    assert submission(first) != submission(second)
    assert str(fragments.submission_placeholder) not in first + second
