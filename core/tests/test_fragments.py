from __future__ import annotations

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
