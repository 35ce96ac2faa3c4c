from __future__ import annotations

import gettext
import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.utils import translation

from billing.models import Feature, TransactionType
from core.testing import require_service

TRANSLATED_LANGUAGES = ("fr", "de", "es")
KEY_STRINGS = {
    "My CVs": {"fr": "Mes CV", "de": "Meine Lebensläufe", "es": "Mis CV"},
    "Log in": {"fr": "Se connecter", "de": "Anmelden", "es": "Iniciar sesión"},
    "Export PDF / DOCX": {
        "fr": "Exporter en PDF / DOCX",
        "de": "Als PDF / DOCX exportieren",
        "es": "Exportar a PDF / DOCX",
    },
    "Tailor to a job offer": {
        "fr": "Adapter à une offre d'emploi",
        "de": "An ein Stellenangebot anpassen",
        "es": "Adaptar a una oferta de empleo",
    },
}


@dataclass
class PoEntry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgstrs: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)


def _catalogue(language: str) -> Path:
    return Path(settings.LOCALE_PATHS[0]) / language / "LC_MESSAGES" / "django.po"


def _parse_po(path: Path) -> list[PoEntry]:
    """The live entries of a .po file (obsolete `#~` ones are not shipped, so they are skipped).

    The header (empty msgid) is returned too: it carries the catalogue's own fuzzy flag.
    """
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        flags: set[str] = set()
        parts: dict[str, list[str]] = {}
        current: list[str] = []
        for line in block.strip().splitlines():
            if line.startswith("#,"):
                flags |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith('"'):
                current.append(json.loads(line))
            elif not line.startswith("#"):
                keyword, _, literal = line.partition(" ")
                current = parts.setdefault(keyword, [])
                current.append(json.loads(literal))
        msgstrs = [key for key in parts if key.startswith("msgstr")]
        plural = parts.get("msgid_plural")
        if msgstrs:
            entries.append(
                PoEntry(
                    msgid="".join(parts["msgid"]),
                    msgid_plural=None if plural is None else "".join(plural),
                    msgstrs=["".join(parts[key]) for key in msgstrs],
                    flags=flags,
                )
            )
    return entries


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
@pytest.mark.parametrize("msgid", KEY_STRINGS)
def test_it_translates_the_key_interface_strings(msgid: str, language: str) -> None:
    with translation.override(language):
        assert translation.gettext(msgid) == KEY_STRINGS[msgid][language]


@pytest.mark.parametrize(
    ("language", "count", "expected"),
    [
        # French treats 0 as singular; German and Spanish do not.
        ("fr", 0, "0 crédit"),
        ("fr", 2, "2 crédits"),
        ("de", 0, "0 Credits"),
        ("de", 1, "1 Credit"),
        ("es", 1, "1 crédito"),
        ("es", 1_000_000, "1000000 créditos"),
    ],
)
def test_it_picks_the_plural_form_of_each_language(
    language: str, count: int, expected: str
) -> None:
    with translation.override(language):
        text = translation.ngettext("%(counter)s credit", "%(counter)s credits", count)
    assert text % {"counter": count} == expected


def test_it_has_a_catalogue_for_every_language_but_english() -> None:
    languages = {code for code, _name in settings.LANGUAGES} - {"en"}
    assert languages == set(TRANSLATED_LANGUAGES)
    assert all(_catalogue(language).is_file() for language in languages)


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_it_leaves_no_entry_untranslated_or_fuzzy(language: str) -> None:
    entries = _parse_po(_catalogue(language))
    assert len(entries) > 100
    untranslated = [e.msgid for e in entries if e.msgid and not all(e.msgstrs)]
    fuzzy = [e.msgid or "(header)" for e in entries if "fuzzy" in e.flags]
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_it_ships_a_compiled_catalogue_matching_the_po_file(language: str) -> None:
    po_path = _catalogue(language)
    with po_path.with_suffix(".mo").open("rb") as mo_file:
        compiled = gettext.GNUTranslations(mo_file)
    stale = []
    for entry in _parse_po(po_path):
        if not entry.msgid:
            continue
        if entry.msgid_plural is None:
            shipped = [compiled.gettext(entry.msgid)]
        else:
            # 1 and 2 select forms 0 and 1 in all three languages.
            shipped = [compiled.ngettext(entry.msgid, entry.msgid_plural, n) for n in (1, 2)]
        if shipped != entry.msgstrs[: len(shipped)]:
            stale.append(entry.msgid)
    assert stale == []


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_it_keeps_every_placeholder_valid_for_msgfmt(language: str) -> None:
    require_service("msgfmt", shutil.which("msgfmt") is not None)
    result = subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(_catalogue(language))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_it_shows_a_signed_in_user_the_pages_in_their_language(
    alice: Any, alice_client: Client, language: str
) -> None:
    alice.language = language
    alice.save(update_fields=["language"])
    response = alice_client.get("/cvs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert KEY_STRINGS["My CVs"][language] in page
    assert "My CVs" not in page


@pytest.mark.slow
def test_it_has_extracted_and_translated_every_string_of_the_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The catalogues as `makemessages` would make them now: a string added to the code but not
    to the catalogues shows up here as untranslated."""
    from django.core.management import call_command

    catalogues = tmp_path / "catalogues"
    for language in TRANSLATED_LANGUAGES:
        target = catalogues / language / "LC_MESSAGES"
        target.mkdir(parents=True)
        shutil.copy(_catalogue(language), target / "django.po")
    # makemessages writes into a ./locale it finds where it runs, whatever LOCALE_PATHS says:
    # it runs in a tree of links to the checkout's folders but that one, so that the
    # checkout's catalogues are left as they are.
    tree = tmp_path / "tree"
    tree.mkdir()
    for entry in Path(settings.BASE_DIR).iterdir():
        if entry.name != "locale":
            (tree / entry.name).symlink_to(entry)
    monkeypatch.chdir(tree)
    with override_settings(LOCALE_PATHS=[str(catalogues)]):
        call_command(
            "makemessages",
            locale=list(TRANSLATED_LANGUAGES),
            no_obsolete=True,
            symlinks=True,
            verbosity=0,
        )
    for language in TRANSLATED_LANGUAGES:
        entries = _parse_po(catalogues / language / "LC_MESSAGES" / "django.po")
        untranslated = [e.msgid for e in entries if e.msgid and not all(e.msgstrs)]
        fuzzy = [e.msgid for e in entries if e.msgid and "fuzzy" in e.flags]
        assert (language, untranslated, fuzzy) == (language, [], [])


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        (
            Feature.IMPORT_PDF.label,
            {"fr": "Import PDF", "de": "PDF-Import", "es": "Importación de PDF"},
        ),
        (TransactionType.PURCHASE.label, {"fr": "Achat", "de": "Kauf", "es": "Compra"}),
    ],
)
def test_it_translates_the_names_of_paid_features(label: Any, expected: dict[str, str]) -> None:
    for language, text in expected.items():
        with translation.override(language):
            assert str(label) == text
