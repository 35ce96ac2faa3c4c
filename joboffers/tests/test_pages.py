from __future__ import annotations

import json
from pathlib import Path

import pytest

from joboffers.pages import extract_page, html_to_text

FIXTURES = Path(__file__).parent / "fixtures"


def _fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _page(body: str, *, title: str = "Offer", head: str = "") -> str:
    return f"<html><head><title>{title}</title>{head}</head><body>{body}</body></html>"


LONG_JOB_TEXT = """<main><h1>Data engineer</h1>
<p>Our finance team needs a data engineer to build and run the batch pipelines behind monthly
reporting. You will move data from three ERPs into a PostgreSQL warehouse with Python and dbt.</p>
<ul><li>Design incremental loads and keep them idempotent.</li>
<li>Write data-quality checks and alert the team when a feed is late.</li>
<li>Work with analysts on the semantic layer used by the dashboards.</li>
<li>Document every pipeline so that the on-call engineer can rerun it.</li></ul>
<p>Two years of SQL and Python are required; Airflow experience is a plus.</p></main>"""


def test_it_reads_the_job_posting_from_a_jsonld_graph() -> None:
    page = extract_page(_fixture("jsonld_graph.html"), url="https://carrieres.acme.example/o/42")

    assert page.status == "ok"
    assert page.title == "Développeur·se Python senior (H/F)"
    assert page.job_posting is not None
    assert page.job_posting["hiringOrganization"]["name"] == "Acme Logiciels"
    assert "Company: Acme Logiciels" in page.text
    assert "Location: Lyon, FR" in page.text
    assert "Salary: 55000–65000 EUR per year" in page.text
    assert "- Optimiser les requêtes PostgreSQL et le cache Redis" in page.text


def test_it_strips_html_and_scripts_from_the_jsonld_description() -> None:
    page = extract_page(_fixture("jsonld_graph.html"), url="https://carrieres.acme.example/o/42")

    assert "<p>" not in page.text
    assert "<strong>" not in page.text
    assert "alert(" not in page.text
    assert "Tickets restaurant & mutuelle" in page.text


def test_it_finds_a_jobposting_whose_type_is_a_full_iri() -> None:
    posting = {
        "@type": "http://schema.org/JobPosting",
        "title": "Comptable",
        "description": "&lt;p&gt;" + "Tenue de la comptabilité fournisseurs et clients. " * 6,
    }
    head = f'<script type="application/ld+json">{json.dumps([posting])}</script>'

    page = extract_page(_page("<div id='app'></div>", head=head), url="https://x.example/")

    assert page.job_posting is not None
    assert page.job_posting["title"] == "Comptable"
    assert page.text.startswith("# Comptable")
    assert "&lt;" not in page.text and "<p>" not in page.text


def test_it_keeps_the_job_text_and_drops_nav_and_footer() -> None:
    page = extract_page(_fixture("plain_job.html"), url="https://jobboard.example/jobs/4711")

    assert page.status == "ok"
    assert page.job_posting is None
    assert page.title == "Senior Backend Engineer – Northwind Data | JobBoard"
    assert "Own the ingestion service that processes forty million events a day." in page.text
    assert "Thirty days of paid holiday" in page.text
    for noise in ("Salary explorer", "All rights reserved", "Privacy policy", "Accept all cookies",
                  "Frontend Developer at Contoso Retail"):  # fmt: skip
        assert noise not in page.text


def test_it_detects_a_login_wall() -> None:
    page = extract_page(_fixture("login_wall.html"), url="https://pronetwork.example/jobs/view/1")

    assert page.status == "login_required"


def test_it_treats_known_auth_urls_as_login_walls() -> None:
    html = _page("<h1>Data engineer</h1><p>Join LinkedIn to see this job.</p>")

    page = extract_page(html, url="https://www.linkedin.com/jobs/view/4012345678/")

    assert page.status == "login_required"


def test_it_ignores_a_login_form_in_the_header_of_a_real_job_page() -> None:
    header = (
        '<header><form><input type="password" name="pw"><button>Log in</button></form></header>'
    )

    page = extract_page(_page(header + LONG_JOB_TEXT), url="https://jobs.example/1")

    assert page.status == "ok"


def test_it_detects_an_expired_offer() -> None:
    page = extract_page(_fixture("expired.html"), url="https://emploiplus.example/o/99")

    assert page.status == "expired"


@pytest.mark.parametrize(
    "notice",
    [
        "Sorry, this job is no longer available.",
        "This position has been filled.",
        "Diese Stellenanzeige ist leider nicht mehr verfügbar.",
        "Die Stelle ist bereits besetzt.",
        "Lo sentimos, esta oferta ya no está disponible.",
        "Cette annonce a été pourvue.",
    ],
)
def test_it_detects_expired_notices_in_four_languages(notice: str) -> None:
    page = extract_page(_page(f"<main><h1>{notice}</h1></main>"), url="https://jobs.example/1")

    assert page.status == "expired"


def test_it_treats_a_past_valid_through_as_expired() -> None:
    posting = {
        "@type": "JobPosting",
        "title": "Infirmier",
        "validThrough": "2020-01-31",
        "description": "Soins aux patients en service de chirurgie. " * 8,
    }
    head = f'<script type="application/ld+json">{json.dumps(posting)}</script>'

    page = extract_page(_page("", head=head), url="https://x.example/")

    assert page.status == "expired"


def test_it_reports_no_content_for_a_javascript_shell() -> None:
    page = extract_page(_fixture("js_shell.html"), url="https://careers.example/")

    assert page.status == "no_content"
    assert page.job_posting is None


def test_it_reports_no_content_for_an_empty_document() -> None:
    assert extract_page(b"", url="https://x.example/").status == "no_content"


def test_it_decodes_bytes_with_the_declared_charset() -> None:
    html = _page(LONG_JOB_TEXT.replace("finance", "comptabilité"), title="Équipe données")
    data = html.replace("<head>", '<head><meta charset="iso-8859-1">').encode("iso-8859-1")

    page = extract_page(data, url="https://jobs.example/1")

    assert page.title == "Équipe données"
    assert "comptabilité" in page.text


def test_it_puts_list_items_on_their_own_lines() -> None:
    text = html_to_text("<p>Intro</p><ul><li>Python</li><li>SQL <b>avancé</b></li></ul>")

    assert text == "Intro\n- Python\n- SQL avancé"
