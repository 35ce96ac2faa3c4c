"""Every declared setting does something: the code outside its declaration reads it.

A setting staff can change that nothing reads saves with a success message and changes
nothing. This looks for each name, as a quoted literal, in the production code and the
templates; a credit price (`credits_<feature>`) is read by `feature_cost` from the feature's
name, so for those the feature must be charged somewhere (`charge_feature(user, "<feature>"`
or `feature="<feature>"`).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from core.config import SECTION_NAMES, SETTINGS
from cvdoc.document import SECTION_NAMES as DOCUMENT_SECTIONS

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = (
    "fitmycv", "staff", "cvs", "joboffers", "accounts", "billing", "emails", "jobs", "ai",
    "telemetry", "cvdoc", "core",
)  # fmt: skip
# Where every setting is named without being read: the declarations, and the seed that writes
# them all.
NOT_READERS = {ROOT / "core" / "config.py", ROOT / "staff" / "seed.py"}


@cache
def _sources() -> dict[Path, str]:
    files: list[Path] = sorted((ROOT / "templates").rglob("*.html"))
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if "tests" not in parts and "migrations" not in parts and path not in NOT_READERS:
                files.append(path)
    return {path: path.read_text(encoding="utf-8") for path in files}


def _readers(name: str) -> list[Path]:
    patterns = [re.compile(rf"""["']{re.escape(name)}["']""")]
    if name.startswith("credits_"):
        feature = re.escape(name.removeprefix("credits_"))
        patterns.append(
            re.compile(rf"""(charge_feature\(\s*[\w.]+,\s*|feature=)["']{feature}["']""")
        )
    return [path for path, text in _sources().items() if any(p.search(text) for p in patterns)]


def test_every_declared_setting_is_read_somewhere() -> None:
    unread = [name for name in SETTINGS if not _readers(name)]
    assert unread == []


def test_the_check_tells_an_unread_setting() -> None:
    assert _readers("feature_that_nothing_reads") == []
    assert _readers("credits_feature_that_nothing_charges") == []
    assert _readers("cv_max_versions")  # read by the versioning service


def test_the_section_order_setting_knows_the_sections_of_a_cv() -> None:
    assert SECTION_NAMES == DOCUMENT_SECTIONS
    assert SETTINGS["cv_section_order"].choices == DOCUMENT_SECTIONS
