"""Template tags of the CV editor; labels come from the export renderer's tables so the
editor and the exported files always say the same thing."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

from cvs.export import SECTION_TITLES, SKILL_GROUP_TITLES, format_period
from cvs.services import plan_after

register = template.Library()
DEFAULT_LANGUAGE = "en"


def _lang(language: str | None) -> str:
    return language if language in SECTION_TITLES else DEFAULT_LANGUAGE


@register.simple_tag
def section_title(section: str, language: str | None) -> str:
    return SECTION_TITLES[_lang(language)].get(section, section.title())


@register.simple_tag
def skill_group_title(group: str, language: str | None) -> str:
    return SKILL_GROUP_TITLES[_lang(language)].get(group, group)


@register.simple_tag
def date_range(start: str, end: str, language: str | None) -> str:
    return format_period(start or "", end or "", _lang(language))


@register.simple_tag
def level_dots(level: int) -> str:
    filled = max(0, min(5, int(level)))
    return format_html(
        '<span class="dots" aria-label="{}/5">{}{}</span>', filled, "●" * filled, "○" * (5 - filled)
    )


@register.filter
def change_value(value: object) -> str:
    """A change's before/after value as one readable line."""
    if value in (None, "", [], {}):
        return "—"
    if isinstance(value, list):
        return ", ".join(change_value(item) for item in value)
    if isinstance(value, dict):
        for key in ("name", "title", "institution", "description"):
            if value.get(key):
                extra = value.get("company") or value.get("degree") or ""
                return f"{value[key]} · {extra}" if extra else str(value[key])
        return ", ".join(f"{k}: {change_value(v)}" for k, v in value.items() if v)
    return str(value)


@register.filter
def pending_by_section(changes: list[dict] | None) -> list[tuple[str, list[dict]]]:
    groups: dict[str, list[dict]] = {}
    for change in changes or []:
        if change.get("status") == "pending":
            groups.setdefault(change.get("section", ""), []).append(change)
    return list(groups.items())


@register.filter
def percent_width(value: object) -> str:
    """A 0-100 number as a CSS class suffix for the score bars (no inline styles under CSP)."""
    try:
        return str(max(0, min(100, round(int(value) / 5) * 5)))
    except (TypeError, ValueError):
        return "0"


@register.simple_tag
def untranslated_notice(plan: dict[str, Any]) -> str:
    """What an offline translation left in the source language (cvs.services.plan_after)."""
    return plan_after(plan)
