"""Review mode: the AI's changes to a CV, accepted or rejected one at a time.

A change is `{id, section, path, change_type, before, after, reason, status}`. Its path points
into the reviewed CV (`experience[1].responsibilities`), except for a removal, whose path is
where the item stood in the source CV. Accepting only marks the change; rejecting puts
`before` back at that one place, leaving every other change as it is. A change whose place no
longer exists (the user edited the CV since) is marked "orphaned" rather than guessed at.
"""

from __future__ import annotations

import copy
import re
import uuid
from typing import Any

PENDING, ACCEPTED, REJECTED, ORPHANED = "pending", "accepted", "rejected", "orphaned"
_SEGMENT = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


class UnknownPath(LookupError):
    pass


def init_review(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give each change an id and the pending status."""
    return [
        {**change, "id": uuid.uuid4().hex[:12], "status": PENDING}
        for change in changes
        if change.get("path")
    ]


def parse_path(path: str) -> list[str | int]:
    parts: list[str | int] = []
    for key, index in _SEGMENT.findall(path):
        parts.append(int(index) if index else key)
    if not parts:
        raise UnknownPath(path)
    return parts


def _walk(content: Any, parts: list[str | int]) -> Any:
    node = content
    for part in parts:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            raise UnknownPath(str(parts)) from None
    return node


def _matches(wanted: Any, item: Any) -> bool:
    """Whether an entry of the `before` order names this item of the current list.

    Orders are recorded as the items themselves, as skill names, or as entry labels like
    "Backend Developer — Beta Payments (2017-09 – 2021-02)".
    """
    if not isinstance(item, dict):
        return str(wanted) == str(item)
    if isinstance(wanted, dict):
        return wanted == item or (bool(item.get("name")) and wanted.get("name") == item["name"])
    if item.get("name"):
        return str(wanted) == str(item["name"])
    label = str(wanted)
    parts = [item.get(k) for k in ("title", "company", "institution", "degree") if item.get(k)]
    return bool(parts) and all(str(part) in label for part in parts)


def _reorder_like(current: list[Any], order: list[Any]) -> list[Any]:
    """Current items put back in `order`.

    Items the order does not name (one restored by another rejected change) keep their slot;
    the named ones fill the other slots in the wanted order.
    """

    def rank(item: Any) -> int | None:
        return next((i for i, wanted in enumerate(order) if _matches(wanted, item)), None)

    named = [i for i, item in enumerate(current) if rank(item) is not None]
    ranked = sorted(named, key=lambda i: rank(current[i]))
    result = list(current)
    for slot, source in zip(named, ranked, strict=True):
        result[slot] = current[source]
    return result


def revert_order(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The order in which to undo several changes so that together they restore the source.

    Changes are undone last-made first, since each later change's path was recorded against
    the CV the earlier ones produced; removals come last, in their source order, so each item
    goes back between the neighbours it had in the source.
    """
    removals = [c for c in changes if c.get("change_type") == "removed"]
    others = [c for c in changes if c.get("change_type") != "removed"]

    def source_place(change: dict[str, Any]) -> tuple[str, int]:
        parts = parse_path(change["path"])
        index = parts[-1] if isinstance(parts[-1], int) else 0
        return ".".join(str(p) for p in parts[:-1]), index

    return list(reversed(others)) + sorted(removals, key=source_place)


def revert_change(content: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    """A copy of `content` with this one change undone. Raises UnknownPath."""
    content = copy.deepcopy(content)
    parts = parse_path(change["path"])
    parent_parts, last = parts[:-1], parts[-1]
    parent = _walk(content, parent_parts)
    kind = change.get("change_type")
    before, after = change.get("before"), change.get("after")

    if kind == "removed":
        if not isinstance(parent, list) or not isinstance(last, int):
            raise UnknownPath(change["path"])
        parent.insert(min(last, len(parent)), copy.deepcopy(before))
    elif kind == "added":
        if isinstance(parent, list) and isinstance(last, int):
            # Another change undone since (a removal put back before it) may have moved the
            # added item: it is found by value in the same list.
            if last < len(parent) and parent[last] == after:
                del parent[last]
            elif after in parent:
                parent.remove(after)
            else:
                raise UnknownPath(change["path"])
        else:
            target = _walk(content, parts)
            if not isinstance(target, list) or after not in target:
                raise UnknownPath(change["path"])
            target.remove(after)
    elif kind == "reordered":
        current = _walk(content, parts)
        if not isinstance(current, list) or not isinstance(before, list):
            raise UnknownPath(change["path"])
        parent[last] = _reorder_like(current, before)
    else:  # modified, and anything else that replaced a value
        _walk(content, parts)  # the place must still exist
        parent[last] = copy.deepcopy(before)
    return content


def review_progress(changes: list[dict[str, Any]] | None) -> dict[str, int]:
    changes = changes or []
    reviewed = sum(1 for c in changes if c.get("status") != PENDING)
    total = len(changes)
    return {
        "total": total,
        "reviewed": reviewed,
        "pending": total - reviewed,
        "percent": round(100 * reviewed / total) if total else 100,
    }
