"""The first-run tour: its steps and the pure transitions of `User.onboarding_state`.

State shape (JSON): `current_step` (index into STEPS), `completed_steps` (step keys),
`has_completed`, `is_skipped`, `timestamps` {started_at, completed_at, skipped_at,
last_step_change_at} as ISO 8601 strings. Transitions take a state and the time and return a new
state; they never mutate their input, so they are tested without a database.

Other features mark their step done when the user does the real thing, e.g. the CV workspace
calls `record_step(user, "create_cv")` after the first CV is saved.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import default_onboarding_state

if TYPE_CHECKING:
    from accounts.models import User

State = dict[str, Any]
Transition = Callable[[State, datetime], State]


@dataclass(frozen=True)
class Step:
    key: str
    label: str | Promise
    hint: str | Promise
    url_name: str


STEPS: list[Step] = [
    Step(
        "create_cv",
        _("Create or import your CV"),
        _("Import a PDF or start from a blank CV: it becomes your master CV."),
        "cvs:index",
    ),
    Step(
        "add_offer",
        _("Add a job offer"),
        _("Paste a link or the text of an offer you want to apply to."),
        "joboffers:index",
    ),
    Step(
        "generate_cv",
        _("Generate a tailored CV"),
        _("Fit your master CV to the offer; it only uses facts from your CV."),
        "cvs:index",
    ),
    Step(
        "review_changes",
        _("Review the changes"),
        _("Accept or reject each change before you use the new CV."),
        "cvs:index",
    ),
    Step(
        "match_score",
        _("Check the match score"),
        _("See how well the CV fits the offer and what is missing."),
        "cvs:index",
    ),
    Step(
        "export_pdf",
        _("Export as PDF"),
        _("Download a clean PDF, ready to send."),
        "cvs:index",
    ),
]
STEP_KEYS = [step.key for step in STEPS]


def _stamp(now: datetime) -> str:
    return now.isoformat()


def normalise(state: State | None) -> State:
    """A full, well-typed copy of a stored state (older or hand-edited rows may miss keys)."""
    result = default_onboarding_state()
    if isinstance(state, dict):
        result.update(copy.deepcopy(state))
    try:
        current = int(result["current_step"])
    except (TypeError, ValueError):
        current = 0
    result["current_step"] = min(max(current, 0), len(STEPS) - 1)
    done = result.get("completed_steps")
    result["completed_steps"] = [k for k in STEP_KEYS if isinstance(done, list) and k in done]
    result["has_completed"] = bool(result.get("has_completed"))
    result["is_skipped"] = bool(result.get("is_skipped"))
    if not isinstance(result.get("timestamps"), dict):
        result["timestamps"] = {}
    return result


def is_active(state: State | None) -> bool:
    """The tour is shown until it is completed or skipped."""
    state = normalise(state)
    return not state["has_completed"] and not state["is_skipped"]


def _started(state: State, now: datetime) -> State:
    state["timestamps"].setdefault("started_at", _stamp(now))
    return state


def _first_open_step(state: State) -> int | None:
    for index, key in enumerate(STEP_KEYS):
        if key not in state["completed_steps"]:
            return index
    return None


def complete(state: State | None, now: datetime) -> State:
    state = _started(normalise(state), now)
    state["has_completed"] = True
    state["is_skipped"] = False
    state["timestamps"]["completed_at"] = _stamp(now)
    return state


def complete_step(state: State | None, key: str, now: datetime) -> State:
    """Mark one step done (from the step's own feature) and move to the first open step."""
    if key not in STEP_KEYS:
        raise ValueError(f"Unknown onboarding step {key!r}")
    state = _started(normalise(state), now)
    if key not in state["completed_steps"]:
        state["completed_steps"] = [k for k in STEP_KEYS if k in {*state["completed_steps"], key}]
    next_index = _first_open_step(state)
    if next_index is None:
        return complete(state, now)
    if next_index != state["current_step"]:
        state["current_step"] = next_index
        state["timestamps"]["last_step_change_at"] = _stamp(now)
    return state


def advance(state: State | None, now: datetime) -> State:
    """The "Next" button: the current step counts as done; after the last one the tour ends."""
    state = normalise(state)
    return complete_step(state, STEP_KEYS[state["current_step"]], now)


def skip(state: State | None, now: datetime) -> State:
    state = _started(normalise(state), now)
    state["is_skipped"] = True
    state["timestamps"]["skipped_at"] = _stamp(now)
    return state


def replay(state: State | None, now: datetime) -> State:
    """Start again from the first step; earlier dates are dropped, the new start is kept."""
    state = default_onboarding_state()
    state["timestamps"] = {"started_at": _stamp(now), "last_step_change_at": _stamp(now)}
    return state


TRANSITIONS: dict[str, Transition] = {
    "next": advance,
    "skip": skip,
    "complete": complete,
    "replay": replay,
}


def panel(state: State | None) -> dict[str, Any]:
    """What the checklist panel shows: each step with its link, done and current flags."""
    state = normalise(state)
    steps = []
    for index, step in enumerate(STEPS):
        try:
            url = reverse(step.url_name)
        except NoReverseMatch:
            # The feature behind this step is not deployed yet; the step stays readable.
            url = "#"
        steps.append(
            {
                "number": index + 1,
                "key": step.key,
                "label": step.label,
                "hint": step.hint,
                "url": url,
                "done": step.key in state["completed_steps"],
                "current": index == state["current_step"],
            }
        )
    current = steps[state["current_step"]]
    return {
        "steps": steps,
        "current": current,
        "is_last": state["current_step"] == len(STEPS) - 1,
        "done_count": len(state["completed_steps"]),
        "total": len(STEPS),
    }


def apply_transition(user: User, transition: Transition) -> None:
    """Apply a transition to the user's stored state and save that one column."""
    user.onboarding_state = transition(user.onboarding_state, timezone.now())
    user.save(update_fields=["onboarding_state", "updated_at"])


def record_step(user: User, key: str) -> None:
    """Called by a feature when the user did a step for real; ignored once the tour is over."""
    if not is_active(user.onboarding_state):
        return
    apply_transition(user, lambda state, now: complete_step(state, key, now))
