from __future__ import annotations

import copy
import html
import io
import json
import re
from pathlib import Path

import pytest
from django.urls import reverse

from billing.models import CreditBalance
from billing.services import record_transaction
from cvs import services
from cvs.models import CV, ExportPreset

pytestmark = pytest.mark.django_db

RICH_CV = json.loads((Path(__file__).parent / "fixtures" / "rich_cv.json").read_text())
ALL_SECTIONS = ["header", "summary", "skills", "experience", "education", "languages", "extras"]


@pytest.fixture
def cv(alice) -> CV:
    record_transaction(alice.pk, amount=10, type="gift", key="test-credits")
    return services.create_cv(alice, content=copy.deepcopy(RICH_CV), name="Data CV")


def _settings(cv: CV, **overrides) -> dict:
    data = {
        "template": "classic",
        "paper": "a4",
        "language": "fr",
        "sections": ALL_SECTIONS,
        "experience_items": [str(i) for i in range(len(cv.content["experience"]))],
        "education_items": [str(i) for i in range(len(cv.content["education"]))],
        "projects_items": [str(i) for i in range(len(cv.content["projects"]))],
        "extras_items": [str(i) for i in range(len(cv.content["extras"]))],
    }
    data.update(overrides)
    return data


def test_the_export_page_shows_a_live_preview(alice_client, cv):
    response = alice_client.get(reverse("cvs:export", args=[cv.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    frame = re.search(r'<iframe class="export-preview-frame"[^>]* src="([^"]+)"', body)
    assert frame, "the preview is a frame of its own"

    preview = alice_client.get(html.unescape(frame.group(1)))

    assert preview.status_code == 200
    assert "cv-preview" in preview.content.decode()
    assert RICH_CV["experience"][0]["company"] in preview.content.decode()


def test_the_preview_is_the_pdfs_document_and_only_it(alice_client, cv):
    # The same document as the PDF, with the CV's stylesheets and nothing of the site's, so
    # the site's styles cannot change its layout; the export page may frame it, no one else.
    response = alice_client.get(reverse("cvs:export_preview", args=[cv.pk]), _settings(cv))
    body = response.content.decode()

    assert body.startswith("<!doctype html>")
    assert "/static/cv/base.css" in body and "app.css" not in body
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]


def test_a_change_of_settings_points_the_frame_at_them(alice_client, cv):
    url = reverse("cvs:export_preview", args=[cv.pk])

    response = alice_client.get(
        url, _settings(cv, template="compact"), headers={"HX-Request": "true"}
    )

    body = response.content.decode()
    assert body.startswith("<iframe") and "template=compact" in body


def test_the_preview_follows_the_section_selection(alice_client, cv):
    company = RICH_CV["experience"][0]["responsibilities"][0]
    url = reverse("cvs:export_preview", args=[cv.pk])
    with_it = alice_client.get(url, _settings(cv)).content.decode()
    without = alice_client.get(
        url, _settings(cv, sections=[s for s in ALL_SECTIONS if s != "experience"])
    ).content.decode()
    assert company in with_it and company not in without


def test_it_downloads_a_pdf(alice_client, cv):
    response = alice_client.post(
        reverse("cvs:export", args=[cv.pk]), {**_settings(cv), "format": "pdf"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert 'filename="CV_' in response["Content-Disposition"]
    assert response["Content-Disposition"].endswith('.pdf"')


def test_it_downloads_a_docx_that_opens(alice_client, cv):
    import docx

    response = alice_client.post(
        reverse("cvs:export", args=[cv.pk]), {**_settings(cv), "format": "docx"}
    )
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert RICH_CV["header"]["full_name"] in text


def test_invalid_settings_are_refused_with_no_file(alice_client, cv):
    response = alice_client.post(
        reverse("cvs:export", args=[cv.pk]), {**_settings(cv, template="fancy"), "format": "pdf"}
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_a_user_who_never_bought_credits_gets_a_watermark(alice_client, alice, cv):
    url = reverse("cvs:export_preview", args=[cv.pk])
    assert "demo" in alice_client.get(url, _settings(cv)).content.decode()
    CreditBalance.objects.filter(user=alice).update(total_purchased=10)
    assert "fitmycv · demo" not in alice_client.get(url, _settings(cv)).content.decode()


def test_presets_save_load_and_delete(alice_client, alice, cv):
    url = reverse("cvs:save_preset", args=[cv.pk])
    response = alice_client.post(
        url, {**_settings(cv, template="modern", paper="letter"), "preset_name": "US jobs"}
    )
    preset = ExportPreset.objects.get(user=alice)
    assert preset.options["template"] == "modern" and preset.options["paper"] == "letter"
    assert "experience_items" not in preset.options  # a preset is a layout, not a selection
    assert response["Location"].endswith(f"?preset={preset.pk}")
    page = alice_client.get(response["Location"]).content.decode()
    assert re.search(r'value="modern"[^>]*checked', page)
    assert re.search(r'<option value="letter" selected', page)
    alice_client.post(reverse("cvs:delete_preset", args=[cv.pk, preset.pk]))
    assert not ExportPreset.objects.exists()


@pytest.mark.parametrize("preset", ["9" * 73, "²", "٣"])
def test_a_preset_id_out_of_range_or_not_ascii_picks_no_preset(alice_client, cv, preset):
    url = reverse("cvs:export", args=[cv.pk])
    response = alice_client.get(url, {"preset": preset})
    assert response.status_code == 200
    assert re.search(r'value="classic"[^>]*checked', response.content.decode())


def test_a_preset_needs_a_name(alice_client, cv):
    alice_client.post(reverse("cvs:save_preset", args=[cv.pk]), _settings(cv))
    assert not ExportPreset.objects.exists()


def test_another_users_preset_cannot_be_deleted(bob_client, bob, alice, cv):
    preset = ExportPreset.objects.create(user=alice, name="Mine", options={})
    bobs_cv = services.create_cv(bob, content=RICH_CV)
    response = bob_client.post(reverse("cvs:delete_preset", args=[bobs_cv.pk, preset.pk]))
    assert response.status_code == 404
    assert ExportPreset.objects.filter(pk=preset.pk).exists()


def _page_token(client, cv: CV) -> str:
    page = client.get(reverse("cvs:export", args=[cv.pk])).content.decode()
    match = re.search(r'name="submission" value="([^"]+)"', page)
    assert match, "the export form carries a one-time token"
    return match.group(1)


def test_each_page_load_carries_a_new_server_issued_token(alice_client, cv):
    assert _page_token(alice_client, cv) != _page_token(alice_client, cv)


def test_an_export_costs_one_credit_once_per_page_load(alice_client, alice, cv):
    data = {**_settings(cv), "format": "pdf", "submission": _page_token(alice_client, cv)}
    first = alice_client.post(reverse("cvs:export", args=[cv.pk]), data)
    assert first["Content-Type"] == "application/pdf"
    again = alice_client.post(reverse("cvs:export", args=[cv.pk]), data)  # a double click
    assert again.status_code == 302 and again["Location"] == reverse("cvs:export", args=[cv.pk])
    assert CreditBalance.objects.get(user=alice).balance == 9
    data["submission"] = _page_token(alice_client, cv)
    alice_client.post(reverse("cvs:export", args=[cv.pk]), data)
    assert CreditBalance.objects.get(user=alice).balance == 8


def test_a_used_token_gives_no_new_file_after_the_cv_changed(alice_client, alice, cv):
    token = _page_token(alice_client, cv)
    url = reverse("cvs:export", args=[cv.pk])
    assert (
        alice_client.post(url, {**_settings(cv), "format": "pdf", "submission": token})[
            "Content-Type"
        ]
        == "application/pdf"
    )
    edited = copy.deepcopy(cv.content)
    edited["header"]["current_title"] = "Edited after the export"
    services.save_cv_content(cv, edited)
    for kind in ("pdf", "docx"):
        replay = alice_client.post(url, {**_settings(cv), "format": kind, "submission": token})
        assert replay.status_code == 302 and replay["Location"] == url
        assert not replay.get("Content-Disposition")
    assert CreditBalance.objects.get(user=alice).balance == 9
    page = alice_client.get(url).content.decode()
    assert "already downloaded" in html.unescape(page)


def test_a_client_chosen_nonce_buys_nothing(alice_client, alice, cv):
    data = {**_settings(cv), "format": "pdf", "nonce": "chosen-by-the-client"}
    alice_client.post(reverse("cvs:export", args=[cv.pk]), data)
    alice_client.post(reverse("cvs:export", args=[cv.pk]), data)  # two files, two credits
    assert CreditBalance.objects.get(user=alice).balance == 8


def test_a_refunded_token_cannot_be_used_again(alice_client, alice, cv):
    from unittest import mock

    token = _page_token(alice_client, cv)
    data = {**_settings(cv), "format": "pdf", "submission": token}
    broken = {"pdf": (mock.Mock(side_effect=RuntimeError), "x")}
    with mock.patch.dict("cvs.views.EXPORT_FORMATS", broken), pytest.raises(RuntimeError):
        alice_client.post(reverse("cvs:export", args=[cv.pk]), data)
    assert CreditBalance.objects.get(user=alice).balance == 10  # the failed render was refunded
    retry = alice_client.post(reverse("cvs:export", args=[cv.pk]), data)
    assert retry.status_code == 302 and not retry.get("Content-Disposition")
    assert CreditBalance.objects.get(user=alice).balance == 10
    data["submission"] = _page_token(alice_client, cv)  # a fresh page pays for its export
    assert (
        alice_client.post(reverse("cvs:export", args=[cv.pk]), data)["Content-Type"]
        == "application/pdf"
    )
    assert CreditBalance.objects.get(user=alice).balance == 9


def test_a_token_refused_for_lack_of_credits_can_be_sent_again(alice_client, alice, cv):
    token = _page_token(alice_client, cv)
    data = {**_settings(cv), "format": "pdf", "submission": token}
    CreditBalance.objects.filter(user=alice).update(balance=0)
    refused = alice_client.post(reverse("cvs:export", args=[cv.pk]), data)
    assert refused["Location"].startswith(reverse("billing:index"))
    CreditBalance.objects.filter(user=alice).update(balance=1)
    assert (
        alice_client.post(reverse("cvs:export", args=[cv.pk]), data)["Content-Type"]
        == "application/pdf"
    )


def test_no_credits_means_no_file(alice_client, alice, cv):
    CreditBalance.objects.filter(user=alice).update(balance=0)
    response = alice_client.post(
        reverse("cvs:export", args=[cv.pk]), {**_settings(cv), "format": "pdf"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("billing:index"))


def test_a_failed_render_is_refunded(alice_client, alice, cv):
    from unittest import mock

    with (
        mock.patch.dict(
            "cvs.views.EXPORT_FORMATS", {"pdf": (mock.Mock(side_effect=RuntimeError), "x")}
        ),
        pytest.raises(RuntimeError),
    ):
        alice_client.post(reverse("cvs:export", args=[cv.pk]), {**_settings(cv), "format": "pdf"})
    assert CreditBalance.objects.get(user=alice).balance == 10
