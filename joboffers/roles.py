"""Postings for several roles: the role a CV is tailored and scored against.

The user may pick a role on the offer page (`selected_role` in the offer's content); until they
do, the role closest to the CV is used. Pure functions: the CV's skills and titles come as
arguments, since the CV app sits above this one.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from ai.offline.vocabulary import canonical_skill, fold

SKILL_GROUPS = ("hard_skills", "tools", "methodologies")


def roles_of(content: dict[str, Any]) -> list[dict[str, Any]]:
    return [role for role in content.get("roles") or [] if role.get("title")]


def role_skills(role: dict[str, Any]) -> set[str]:
    skills = role.get("skills") or {}
    names = set(skills.get("soft_skills") or [])
    for group in SKILL_GROUPS:
        part = skills.get(group) or {}
        names |= set(part.get("required") or []) | set(part.get("nice_to_have") or [])
    return {_key(name) for name in names}


def _key(name: str) -> str:
    return fold(canonical_skill(name) or name).strip()


def _words(text: str) -> set[str]:
    return {w for w in fold(text).replace("/", " ").replace("-", " ").split() if len(w) > 2}


def closest_role(
    content: dict[str, Any], *, skills: Iterable[str], titles: Iterable[str]
) -> str | None:
    """The title of the role sharing the most skills (then title words) with the CV; the first
    role on a tie. None for a posting for one job."""
    roles = roles_of(content)
    if not roles:
        return None
    cv_skills = {_key(s) for s in skills if s}
    cv_words: set[str] = set().union(*(_words(t) for t in titles if t))

    def overlap(role: dict[str, Any]) -> tuple[int, int]:
        return len(role_skills(role) & cv_skills), len(_words(role["title"]) & cv_words)

    best = max(roles, key=overlap)  # max keeps the first of equal roles
    return str(best["title"])


def with_role(content: dict[str, Any], title: str | None) -> dict[str, Any]:
    """The offer as seen for one of its roles: that role's title and skills, its tasks before
    the shared ones. The content unchanged when the role is not one of the offer's."""
    role = next((r for r in roles_of(content) if r["title"] == title), None)
    if role is None:
        return content
    offer = copy.deepcopy(content)
    offer["title"] = role["title"]
    shared = offer.get("skills") or {}
    own = copy.deepcopy(role.get("skills") or {})
    merged: dict[str, Any] = {}
    for group in SKILL_GROUPS:
        mine, common = own.get(group) or {}, shared.get(group) or {}
        merged[group] = {
            kind: list(dict.fromkeys((mine.get(kind) or []) + (common.get(kind) or [])))
            for kind in ("required", "nice_to_have")
        }
    merged["soft_skills"] = list(
        dict.fromkeys((own.get("soft_skills") or []) + (shared.get("soft_skills") or []))
    )
    offer["skills"] = merged
    offer["responsibilities"] = list(
        dict.fromkeys((role.get("responsibilities") or []) + (offer.get("responsibilities") or []))
    )
    offer["selected_role"] = role["title"]
    return offer


def role_for_cv(
    content: dict[str, Any], skills: Iterable[str], titles: Iterable[str]
) -> tuple[dict[str, Any], str | None, bool]:
    """(the offer for the CV, the role used, whether the user picked it). The role the user
    picked if any, else the closest to the CV; (content, None, False) for one job."""
    picked = content.get("selected_role")
    if picked and any(r["title"] == picked for r in roles_of(content)):
        return with_role(content, picked), picked, True
    closest = closest_role(content, skills=skills, titles=titles)
    if closest is None:
        return content, None, False
    return with_role(content, closest), closest, False


def cv_skills_and_titles(cv: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The skill names and job titles of a CV document (its skills and experience sections)."""
    skills: list[str] = []
    for value in (cv.get("skills") or {}).values():
        for item in value if isinstance(value, list) else []:
            name = item.get("name") if isinstance(item, dict) else item
            if isinstance(name, str):
                skills.append(name)
    titles: list[str] = []
    header = cv.get("header") or {}
    if isinstance(header.get("current_title"), str):
        titles.append(header["current_title"])
    for job in cv.get("experience") or []:
        if isinstance(job, dict):
            skills += [s for s in job.get("skills_used") or [] if isinstance(s, str)]
            if isinstance(job.get("title"), str):
                titles.append(job["title"])
    return skills, titles
