"""Upload limits through the real views: a refused file leaves nothing behind and costs nothing."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from billing.models import CreditBalance, CreditTransaction, TransactionType
from billing.services import record_transaction
from core.pdftext import MAX_UPLOAD_BYTES
from cvs.models import CV
from joboffers.models import JobOffer
from jobs import services as job_services
from jobs.models import BackgroundTask, TaskStatus, Upload

pytestmark = pytest.mark.django_db

CREDITS = 10
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


@pytest.fixture
def paying_alice(alice: Any) -> Any:
    record_transaction(alice.pk, amount=CREDITS, type=TransactionType.GIFT, key="uploads:gift")
    return alice


def _pdf(pages: int) -> bytes:
    writer = PdfWriter()
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    resources = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )
    for number in range(pages):
        page = writer.add_blank_page(612, 792)
        content = DecodedStreamObject()
        content.set_data(f"BT /F1 11 Tf 72 720 Td (Jane Roe, page {number}) Tj ET".encode())
        page[NameObject("/Contents")] = writer._add_object(content)
        page[NameObject("/Resources")] = resources
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _import(client: Client, data: bytes, name: str = "cv.pdf") -> Any:
    upload = SimpleUploadedFile(name, data, content_type="application/pdf")
    return client.post("/cvs/import/pdf/", {"file": upload}, follow=True)


def assert_nothing_kept_or_charged(user: Any) -> None:
    assert not Upload.objects.exists()
    assert not CV.objects.filter(user=user).exists()
    assert CreditBalance.objects.get(user=user).balance == CREDITS
    assert (
        not CreditTransaction.objects.filter(user=user)
        .exclude(type__in=[TransactionType.GIFT, TransactionType.REFUND])
        .exclude(refunded=True)
        .exists()
    )


def test_a_pdf_over_10_mb_is_refused_before_anything_is_stored(alice_client, paying_alice):
    oversized = b"%PDF-1.7\n" + b"0" * MAX_UPLOAD_BYTES
    response = _import(alice_client, oversized)
    assert "the limit is 10 MB" in response.content.decode()
    assert not BackgroundTask.objects.exists()
    assert_nothing_kept_or_charged(paying_alice)


@pytest.mark.parametrize("url", ["/cvs/import/pdf/", "/offers/", "/cvs/import/json-resume/"])
def test_a_body_far_over_the_limit_is_refused_before_it_is_read(alice_client, paying_alice, url):
    # 50 MB declared: answered 413 from the header, before Django reads (or spools) the body.
    upload = SimpleUploadedFile("cv.pdf", b"%PDF-1.7\n", content_type="application/pdf")
    response = alice_client.post(
        url, {"file": upload}, CONTENT_LENGTH=str(50 * 1024 * 1024), HTTP_REFERER="/cvs/"
    )
    assert response.status_code == 413
    page = response.content.decode()
    assert "Files can be 10 MB at most" in page and 'href="/cvs/"' in page
    assert not BackgroundTask.objects.exists() and not JobOffer.objects.exists()
    assert_nothing_kept_or_charged(paying_alice)


def test_the_body_limit_follows_the_staff_setting(alice_client, paying_alice):
    from core.models import Setting

    Setting.objects.create(name="pdf_max_size_mb", value="1", category="pdf_import")
    upload = SimpleUploadedFile("cv.pdf", b"%PDF-1.7\n" + b"0" * 3_000_000)
    response = alice_client.post("/cvs/import/pdf/", {"file": upload})
    assert response.status_code == 413
    assert "Files can be 1 MB at most" in response.content.decode()


def test_a_file_with_the_wrong_magic_is_refused_before_anything_is_stored(
    alice_client, paying_alice
):
    response = _import(alice_client, PNG, name="photo.pdf")
    assert "This file is not a PDF" in response.content.decode()
    assert not BackgroundTask.objects.exists()
    assert_nothing_kept_or_charged(paying_alice)


def test_a_pdf_over_the_page_limit_fails_refunds_and_keeps_no_copy(
    alice_client, paying_alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _import(alice_client, _pdf(pages=11))
    task = BackgroundTask.objects.get()
    assert task.status == TaskStatus.FAILED
    assert task.error == "This PDF has 11 pages; the limit is 10."
    assert_nothing_kept_or_charged(paying_alice)


def test_an_oversized_or_fake_offer_pdf_is_a_form_error_and_stores_nothing(alice_client):
    for data in (b"%PDF-1.7\n" + b"0" * MAX_UPLOAD_BYTES, PNG):
        upload = SimpleUploadedFile("offer.pdf", data, content_type="application/pdf")
        response = alice_client.post("/offers/", {"file": upload})
        assert response.status_code == 400
    assert not JobOffer.objects.exists()
    assert not Upload.objects.exists()
    assert not BackgroundTask.objects.exists()


def test_a_request_with_more_than_100_files_is_refused(alice_client):
    files = {f"file{n}": SimpleUploadedFile(f"{n}.pdf", b"%PDF-1.7") for n in range(101)}
    response = alice_client.post("/cvs/import/pdf/", files)
    assert response.status_code == 400
    assert not Upload.objects.exists()


def test_the_sweeper_deletes_files_no_task_will_read(alice):
    old = Upload.objects.create(user=alice, name="old.pdf", sha256="a" * 64, size=1, data=b"x")
    Upload.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    fresh = Upload.objects.create(user=alice, name="new.pdf", sha256="b" * 64, size=1, data=b"x")
    job_services.sweep_stuck_tasks()
    assert list(Upload.objects.values_list("pk", flat=True)) == [fresh.pk]
