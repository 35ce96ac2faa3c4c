"""Every URL of the site, classified, and checked for access, ownership, CSRF and headers.

The classification below is the security contract of the URL space. A URL pattern that is not
in it makes `test_every_url_pattern_is_classified` fail: whoever adds a URL decides here who may
use it, and the other tests then hold the view to that decision.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from accounts.models import BookmarkletToken, User
from accounts.services import create_bookmarklet_token
from billing.models import CreditBalance, CreditPack, CreditTransaction, SubscriptionPlan
from conftest import make_user
from cvdoc.document import empty_cv
from cvs import services as cv_services
from cvs.models import CV, CoverLetter, CoverLetterVersion, CVVersion, ExportPreset
from joboffers.models import JobOffer, LinkHistory
from jobs.models import BackgroundTask, TaskType, Upload
from telemetry.models import Feedback

PUBLIC = "public"  # anyone; never a redirect to the login page, never a 5xx
LOGIN = "login-required"  # anonymous -> the login page, for every method
STAFF = "staff-only"  # our dashboards: anonymous -> login, a regular user -> 404
ADMIN = "admin"  # Django's admin site: anonymous and regular users -> the admin login
SIGNED = "webhook-signed"  # no session and no CSRF token: a signature authenticates it
PROVIDER = "provider-post"  # a sign-in provider posts here (csrf-exempt by allauth, see below)
REDIRECT = "redirect"  # an alias that only redirects elsewhere

GET, POST = "GET", "POST"
LOGIN_PATH = "/accounts/login/"
ADMIN_LOGIN_PATH = "/admin/login/"
OUR_APPS = ("accounts.", "cvs.", "joboffers.", "billing.", "telemetry.", "emails.", "fitmycv.")


@dataclass(frozen=True)
class Route:
    access: str
    methods: tuple[str, ...] = (GET,)
    # The owned object the URL names (ownership matrix), and which fixture object fills each
    # URL parameter; parameters left out take DEFAULT_VALUES.
    owner: str = ""
    params: dict[str, str] = field(default_factory=dict)


def _cv(*methods: str, **params: str) -> Route:
    return Route(LOGIN, methods or (GET,), owner="cv", params={"pk": "cv", **params})


def _offer(*methods: str) -> Route:
    return Route(LOGIN, methods, owner="offer", params={"pk": "offer"})


def _staff(*methods: str, **params: str) -> Route:
    return Route(STAFF, methods or (GET,), params=params)


ROUTES: dict[str, Route] = {
    # Public pages and the sign-in flows.
    "": Route(PUBLIC),
    "healthz": Route(PUBLIC),
    "about/": Route(PUBLIC),
    "terms/": Route(PUBLIC),
    "privacy/": Route(PUBLIC),
    "cookies/": Route(PUBLIC),
    "consent/": Route(PUBLIC, (POST,)),
    "language/": Route(PUBLIC, (POST,)),
    "r/<str:code>": Route(PUBLIC),
    "account/complete-signin/": Route(PUBLIC),
    "account/verify-email/resend/": Route(PUBLIC, (POST,)),
    "accounts/confirm-email/": Route(PUBLIC),
    "accounts/login/": Route(PUBLIC, (GET, POST)),
    # GET asks for confirmation; only the POST signs out.
    "accounts/logout/": Route(PUBLIC, (GET, POST)),
    "accounts/inactive/": Route(PUBLIC),
    "accounts/signup/": Route(PUBLIC, (GET, POST)),
    "accounts/password/reset/": Route(PUBLIC, (GET, POST)),
    "accounts/password/reset/done/": Route(PUBLIC),
    "accounts/password/reset/key/done/": Route(PUBLIC),
    r"accounts/^confirm-email/(?P<key>[-:\w]+)/$": Route(
        PUBLIC, (GET, POST), params={"key": "confirm_key"}
    ),
    "accounts/^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$": Route(
        PUBLIC, (GET, POST), params={"uidb36": "reset_uid", "key": "reset_key"}
    ),
    "accounts/3rdparty/login/cancelled/": Route(PUBLIC),
    "accounts/3rdparty/login/error/": Route(PUBLIC),
    # OAuth starts and callbacks: 404 while the provider is not configured.
    "accounts/google/login/": Route(PUBLIC, (GET, POST)),
    "accounts/google/login/callback/": Route(PUBLIC),
    "accounts/github/login/": Route(PUBLIC, (GET, POST)),
    "accounts/github/login/callback/": Route(PUBLIC),
    "accounts/apple/login/": Route(PUBLIC, (GET, POST)),
    "accounts/apple/login/callback/finish/": Route(PUBLIC),
    # Google One Tap posts a signed ID token (checked with a double-submit cookie); Apple posts
    # its OAuth answer, which is only bounced to the GET callback that checks the state.
    "accounts/google/login/token/": Route(PROVIDER, (POST,)),
    "accounts/apple/login/callback/": Route(PROVIDER, (POST,)),
    "accounts/social/login/cancelled/": Route(REDIRECT),
    "accounts/social/login/error/": Route(REDIRECT),
    "accounts/social/signup/": Route(REDIRECT),
    "accounts/social/connections/": Route(REDIRECT),
    # allauth pages behind a login (or a login in progress, which anonymous visitors lack).
    "accounts/reauthenticate/": Route(LOGIN, (GET, POST)),
    "accounts/email/": Route(LOGIN, (GET, POST)),
    "accounts/password/change/": Route(LOGIN, (GET, POST)),
    "accounts/password/set/": Route(LOGIN, (GET, POST)),
    "accounts/login/code/confirm/": Route(LOGIN, (GET, POST)),
    "accounts/2fa/": Route(LOGIN),
    "accounts/2fa/authenticate/": Route(LOGIN, (GET, POST)),
    "accounts/2fa/reauthenticate/": Route(LOGIN, (GET, POST)),
    "accounts/2fa/totp/activate/": Route(LOGIN, (GET, POST)),
    "accounts/2fa/totp/deactivate/": Route(LOGIN, (GET, POST)),
    "accounts/2fa/recovery-codes/": Route(LOGIN),
    "accounts/2fa/recovery-codes/generate/": Route(LOGIN, (GET, POST)),
    "accounts/2fa/recovery-codes/download/": Route(LOGIN),
    "accounts/3rdparty/signup/": Route(LOGIN, (GET, POST)),
    "accounts/3rdparty/": Route(LOGIN, (GET, POST)),
    # The account.
    "account/": Route(LOGIN),
    "account/profile/": Route(LOGIN, (POST,)),
    "account/export/": Route(LOGIN),
    "account/delete/": Route(LOGIN, (GET, POST)),
    "account/onboarding/<slug:action>/": Route(LOGIN, (POST,)),
    "account/bookmarklets/": Route(LOGIN, (POST,)),
    "account/bookmarklets/<int:pk>/revoke/": Route(
        LOGIN, (POST,), owner="bookmarklet", params={"pk": "bookmarklet"}
    ),
    "feedback/": Route(LOGIN, (POST,)),
    # The CV workspace.
    "cvs/": Route(LOGIN),
    "cvs/new/": Route(LOGIN, (POST,)),
    "cvs/import/json-resume/": Route(LOGIN, (POST,)),
    "cvs/import/pdf/": Route(LOGIN, (POST,)),
    "cvs/from-job-title/": Route(LOGIN, (POST,)),
    "cvs/rank/": Route(LOGIN),
    "cvs/tasks/": Route(LOGIN),
    "cvs/tasks/panel/": Route(LOGIN),
    "cvs/tasks/<uuid:task_id>/": Route(LOGIN, owner="task", params={"task_id": "task"}),
    "cvs/tasks/<uuid:task_id>/cancel/": Route(
        LOGIN, (POST,), owner="task", params={"task_id": "task"}
    ),
    "cvs/<int:pk>/": _cv(GET),
    "cvs/<int:pk>/tailor/": _cv(GET, POST),
    "cvs/<int:pk>/score/": _cv(POST),
    "cvs/<int:pk>/rank/": _cv(GET, POST),
    "cvs/<int:pk>/rank/choose/": _cv(POST),
    "cvs/<int:pk>/rank/rerank/": _cv(POST),
    "cvs/<int:pk>/improve/": _cv(POST),
    "cvs/<int:pk>/translate/": _cv(POST),
    "cvs/<int:pk>/translate/plan/": _cv(GET),
    "cvs/<int:pk>/review/": _cv(POST),
    "cvs/<int:pk>/edit/<str:section>/": _cv(GET, POST),
    "cvs/<int:pk>/edit/<str:section>/<int:index>/": _cv(GET, POST),
    "cvs/<int:pk>/remove/<str:section>/<int:index>/": _cv(POST),
    "cvs/<int:pk>/move/<str:section>/<int:index>/": _cv(POST),
    "cvs/<int:pk>/move-section/<str:section>/": _cv(POST),
    "cvs/<int:pk>/rename/": _cv(POST),
    "cvs/<int:pk>/duplicate/": _cv(POST),
    "cvs/<int:pk>/delete/": _cv(GET, POST),
    "cvs/<int:pk>/versions/": _cv(GET),
    "cvs/<int:pk>/versions/<int:number>/": _cv(GET, number="version"),
    "cvs/<int:pk>/versions/<int:number>/restore/": _cv(POST, number="version"),
    "cvs/<int:pk>/diff/": _cv(GET),
    "cvs/<int:pk>/export/": _cv(GET, POST),
    "cvs/<int:pk>/export/preview/": _cv(GET),
    "cvs/<int:pk>/export/fit/": _cv(POST),
    "cvs/<int:pk>/export/presets/": _cv(POST),
    "cvs/<int:pk>/export/presets/<int:preset_id>/delete/": _cv(POST, preset_id="preset"),
    "cvs/<int:pk>/resume.json": _cv(GET),
    "cvs/<int:pk>/letters/": _cv(GET, POST),
    "cvs/<int:pk>/letters/<int:letter_id>/": _cv(GET, POST, letter_id="letter"),
    "cvs/<int:pk>/letters/<int:letter_id>/versions/": _cv(GET, letter_id="letter"),
    "cvs/<int:pk>/letters/<int:letter_id>/versions/<int:number>/restore/": _cv(
        POST, letter_id="letter", number="letter_version"
    ),
    "cvs/<int:pk>/letters/<int:letter_id>/delete/": _cv(POST, letter_id="letter"),
    "cvs/<int:pk>/letters/<int:letter_id>/export/": _cv(GET, letter_id="letter"),
    "cvs/<int:pk>/letters/<int:letter_id>/preview/": _cv(GET, letter_id="letter"),
    # Job offers.
    "offers/": Route(LOGIN, (GET, POST)),
    # The bookmarklet posts from job pages: its token authenticates it, never a cookie.
    "offers/send/": Route(SIGNED, (POST,)),
    "offers/<int:pk>/": _offer(GET),
    "offers/<int:pk>/reextract/": _offer(POST),
    "offers/<int:pk>/delete/": _offer(POST),
    "offers/<int:pk>/role/": _offer(POST),
    "offers/<int:pk>/tailor/": _offer(POST),
    "offers/<int:pk>/example-cv/": _offer(POST),
    # Billing: packs and plans are a shared catalogue, not owned objects.
    "billing/": Route(LOGIN),
    "billing/packs/<int:pk>/buy/": Route(LOGIN, (POST,), params={"pk": "pack"}),
    "billing/plans/": Route(LOGIN),
    "billing/plans/<int:pk>/subscribe/": Route(LOGIN, (POST,), params={"pk": "plan"}),
    "billing/portal/": Route(LOGIN, (POST,)),
    "billing/history/": Route(LOGIN),
    "billing/redeem/": Route(LOGIN, (GET, POST)),
    "billing/referral/": Route(LOGIN),
    "billing/checkout/done/": Route(LOGIN),
    "billing/webhook/": Route(SIGNED, (POST,)),
    "anymail/resend/tracking/": Route(SIGNED, (POST,)),
    # Staff dashboards (in the admin's URL space, but our own views).
    "admin/dashboards/": Route(REDIRECT),
    "admin/dashboards/overview/": _staff(),
    "admin/dashboards/features/": _staff(),
    "admin/dashboards/errors/": _staff(),
    "admin/dashboards/extractions/": _staff(),
    "admin/dashboards/ai-costs/": _staff(),
    "admin/dashboards/feedback/": _staff(),
    "admin/dashboards/feedback/triage/": _staff(POST),
    "admin/dashboards/users/": _staff(),
    "admin/dashboards/users/<int:pk>/": _staff(pk="bob"),
    "admin/dashboards/users/<int:pk>/credits/": _staff(POST, pk="bob"),
    "admin/dashboards/users/<int:pk>/role/": _staff(POST, pk="bob"),
    "admin/dashboards/users/<int:pk>/access/": _staff(POST, pk="bob"),
    "admin/dashboards/onboarding/": _staff(),
    "admin/dashboards/revenue/": _staff(),
    "admin/dashboards/emails/": _staff(),
    "admin/dashboards/settings/": _staff(GET, POST),
    # Django's admin: its own pages and the views our ModelAdmins add.
    "admin/": Route(ADMIN),
    # Staff sign in through the site's login (rate limits, 2FA): this only redirects there.
    "admin/login/": Route(LOGIN, (GET, POST)),
    "admin/logout/": Route(ADMIN, (POST,)),
    "admin/password_change/": Route(ADMIN, (GET, POST)),
    "admin/autocomplete/": Route(ADMIN),
    "admin/jsi18n/": Route(ADMIN),
    "admin/r/<path:content_type_id>/<path:object_id>/": Route(ADMIN),
    "admin/accounts/user/<id>/password/": Route(ADMIN, (GET, POST)),
    "admin/billing/creditbalance/grant/": Route(ADMIN, (GET, POST)),
    "admin/emails/emailtemplate/preview/": Route(ADMIN, (GET, POST)),
    "admin/emails/emailtemplate/<path:object_id>/send-test/": Route(ADMIN, (POST,)),
    "admin/(?P<url>.*)$": Route(ADMIN),
}
# The URLs Django's admin generates for each registered model and app: all behind admin_view.
ADMIN_GENERATED = re.compile(
    r"^admin/(\w+/\w+/(add/|<path:object_id>/(change/|delete/|history/)?)?"
    r"|\^\(\?P<app_label>[\w|]+\)/\$)$"
)
GENERATED_ADMIN_ROUTE = Route(ADMIN, (GET, POST))
# Views that skip CSRF: each is authenticated by something else (see the ROUTES comments).
CSRF_EXEMPT = {
    "billing/webhook/",
    "offers/send/",
    "anymail/resend/tracking/",
    "accounts/google/login/token/",
    "accounts/apple/login/callback/",
}
DEFAULT_VALUES: dict[str, Any] = {
    "section": "experience",
    "index": 0,
    "action": "next",
    "code": "FRIEND42",
    "app_label": "cvs",
    "url": "no-such-page/",
    "content_type_id": "1",
    "object_id": "1",
    "id": "1",
}
FOREIGN_ORIGIN = "https://evil.example"
CATALOGUE_IDS = {"pack", "plan"}
# What CSP must say on every HTML page: no inline or evaluated script, no framing, no plugins.
CSP_FORBIDDEN_IN_SCRIPTS = ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:")


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def url_patterns() -> dict[str, URLPattern]:
    """Every URL pattern of the site by its full route; the first one wins, as in resolving."""
    found: dict[str, URLPattern] = {}
    for route, pattern in _walk(get_resolver().url_patterns):
        found.setdefault(route, pattern)
    return found


def route_for(route: str) -> Route:
    if route in ROUTES:
        return ROUTES[route]
    if ADMIN_GENERATED.match(route):
        return GENERATED_ADMIN_ROUTE
    raise KeyError(route)


def is_ours(pattern: URLPattern) -> bool:
    return pattern.callback.__module__.startswith(OUR_APPS)


def build_path(route: str, spec: Route, objects: dict[str, Any]) -> str:
    """A concrete path for `route`, its parameters filled from `objects`."""

    def value(name: str) -> str:
        key = spec.params.get(name)
        return str(objects[key] if key else DEFAULT_VALUES[name])

    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: value(m.group(1)), route)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: value(m.group(1)), path)
    return "/" + path.replace("^", "").replace("$", "")


@pytest.fixture
def objects(alice: User, bob: User, staff: User) -> dict[str, Any]:
    return make_objects(alice, bob)


def make_objects(alice: User, bob: User) -> dict[str, Any]:
    """Alice's owned objects, one of each kind, plus what the other URLs need."""
    content = empty_cv(full_name="Alice Martin", current_title="Data engineer")
    content["experience"] = [
        {"title": "Engineer", "company": "Acme", "start_date": "2020", "end_date": "present"}
    ]
    content["education"] = [{"institution": "Lyon 1", "end_date": "2019"}]
    cv = cv_services.create_cv(alice, content=content, name="Alice secret CV")
    version = cv_services.save_version(cv, changelog="First", change_type="optimization")
    offer = JobOffer.objects.create(
        user=alice,
        source_type="text",
        source_value="text:alice",
        source_name="Alice secret offer",
        source_text="Data engineer at Acme",
        content={"title": "Alice secret offer", "company": "Acme"},
        extracted_at=timezone.now(),
    )
    CV.objects.filter(pk=cv.pk).update(job_offer=offer)
    preset = ExportPreset.objects.create(user=alice, name="Alice secret preset", options={})
    bookmarklet, _raw = create_bookmarklet_token(alice, name="Alice secret browser")
    text = {"subject": "", "greeting": "Hello,", "paragraphs": ["Secret."], "sign_off": "Bye"}
    letter = CoverLetter.objects.create(
        cv=cv, job_offer=offer, role="Alice secret offer", language="en", content=text, version=2
    )
    CoverLetterVersion.objects.create(letter=letter, version=1, content=text, change_type="edit")
    task = BackgroundTask.objects.create(user=alice, type=TaskType.TEST, title="Alice secret task")
    pack = CreditPack.objects.create(name="Ten", credit_amount=10, price="9.00")
    plan = SubscriptionPlan.objects.create(name="Pro", tier=1)
    carol = make_user("carol@example.org", verified=False)
    address = EmailAddress.objects.get(user=carol)
    return {
        "cv": cv.pk,
        "version": version.version,
        "offer": offer.pk,
        "preset": preset.pk,
        "bookmarklet": bookmarklet.pk,
        "letter": letter.pk,
        "letter_version": 1,
        "task": task.pk,
        "pack": pack.pk,
        "plan": plan.pk,
        "bob": bob.pk,
        "confirm_key": EmailConfirmationHMAC(address).key,
        "reset_uid": user_pk_to_url_str(bob),
        "reset_key": default_token_generator.make_token(bob),
    }


def all_routes() -> list[tuple[str, Route]]:
    return [(route, route_for(route)) for route in url_patterns()]


# --- Classification -------------------------------------------------------------------------


def test_every_url_pattern_is_classified():
    routes = url_patterns()
    unclassified = sorted(r for r in routes if r not in ROUTES and not ADMIN_GENERATED.match(r))
    assert unclassified == [], (
        "Classify these URL patterns in ROUTES (fitmycv/tests/test_security_matrix.py): "
        "who may use them, with which methods, and which owned object they name."
    )
    stale = sorted(set(ROUTES) - set(routes))
    assert stale == [], "These classified routes no longer exist; remove them from ROUTES."


def test_only_signed_endpoints_skip_csrf():
    exempt = {
        route
        for route, pattern in url_patterns().items()
        if getattr(pattern.callback, "csrf_exempt", False)
    }
    assert exempt == CSRF_EXEMPT
    assert all(ROUTES[route].access in (SIGNED, PROVIDER) for route in exempt)


def test_every_user_facing_url_with_an_id_names_the_owner_or_is_the_shared_catalogue():
    # A new URL taking an object id must say whose object it is, so that the ownership matrix
    # below covers it. Only the packs and plans anyone may buy are nobody's.
    checked = 0
    for route, pattern in url_patterns().items():
        spec = route_for(route)
        if not is_ours(pattern) or spec.access not in (LOGIN, PUBLIC):
            continue
        if re.search(r"<(int|uuid):(pk|task_id)>", route):
            key = spec.params.get("pk") or spec.params.get("task_id")
            assert spec.owner or key in CATALOGUE_IDS, route
            checked += 1
    assert checked > 25


# --- Anonymous visitors ---------------------------------------------------------------------


def _location_path(response: Any) -> str:
    return urlsplit(response["Location"]).path


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_login_on_every_private_url(client, objects):
    checked = 0
    for route, spec in all_routes():
        if spec.access != LOGIN:
            continue
        path = build_path(route, spec, objects)
        for method in (GET, POST):  # the login check comes before the method check
            response = client.generic(method, path)
            assert response.status_code == 302, (method, path, response.status_code)
            assert _location_path(response) == LOGIN_PATH, (method, path, response["Location"])
            checked += 1
    assert checked > 100


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_login_on_staff_and_admin_urls(client, objects):
    for route, spec in all_routes():
        if spec.access not in (STAFF, ADMIN):
            continue
        path = build_path(route, spec, objects)
        for method in spec.methods:
            response = client.generic(method, path)
            assert response.status_code == 302, (method, path, response.status_code)
            expected = LOGIN_PATH if spec.access == STAFF else ADMIN_LOGIN_PATH
            # The admin sends a logout of nobody to its index, which then asks to sign in.
            if route == "admin/logout/":
                expected = "/admin/"
            assert _location_path(response) == expected, (method, path, response["Location"])


@pytest.mark.django_db
def test_public_urls_answer_anonymous_visitors_without_a_login_or_an_error(client, objects):
    for route, spec in all_routes():
        if spec.access not in (PUBLIC, REDIRECT, PROVIDER):
            continue
        path = build_path(route, spec, objects)
        for method in spec.methods:
            response = client.generic(method, path)
            assert response.status_code < 500, (method, path)
            if response.status_code in (301, 302):
                assert _location_path(response) != LOGIN_PATH, (method, path)
            if spec.access == REDIRECT:
                assert response.status_code in (301, 302), path


@pytest.mark.django_db
def test_unconfigured_sign_in_providers_are_not_found(client):
    for provider in ("google", "github", "apple"):
        assert client.get(f"/accounts/{provider}/login/").status_code == 404
        assert client.get(f"/accounts/{provider}/login/callback/").status_code in (404, 405)


@pytest.mark.django_db
def test_staff_and_admin_urls_are_refused_to_regular_users(alice_client, objects):
    for route, spec in all_routes():
        if spec.access not in (STAFF, ADMIN):
            continue
        path = build_path(route, spec, objects)
        for method in spec.methods:
            response = alice_client.generic(method, path)
            if spec.access == STAFF:
                assert response.status_code == 404, (method, path, response.status_code)
            else:
                assert response.status_code == 302, (method, path, response.status_code)
                assert _location_path(response) in (ADMIN_LOGIN_PATH, "/admin/"), path


@pytest.mark.django_db
def test_signed_webhooks_refuse_an_unsigned_post_and_write_nothing(client, objects):
    before = snapshot()
    for route, spec in all_routes():
        if spec.access != SIGNED:
            continue
        response = client.post(
            build_path(route, spec, objects),
            data=b'{"id": "evt_1", "type": "checkout.session.completed"}',
            content_type="application/json",
        )
        # 404: the e-mail tracking endpoint does not exist without its signing secret.
        assert response.status_code in (400, 403, 404), route
    assert snapshot() == before


@pytest.mark.django_db
def test_our_views_refuse_the_methods_they_do_not_take(alice_client, staff_client, objects):
    refused = 0
    for route, pattern in url_patterns().items():
        spec = route_for(route)
        if not is_ours(pattern) or spec.access not in (PUBLIC, LOGIN, STAFF, SIGNED):
            continue
        client = staff_client if spec.access == STAFF else alice_client
        path = build_path(route, spec, objects)
        for method in {GET, POST} - set(spec.methods):
            response = client.generic(method, path)
            expected = {405, 404} if route.startswith("anymail/") else {405}
            assert response.status_code in expected, (method, path, response.status_code)
            refused += 1
    assert refused > 50


# --- Ownership ------------------------------------------------------------------------------

OWNED_DATA: list[type[models.Model]] = [
    CV,
    CVVersion,
    CoverLetter,
    CoverLetterVersion,
    BackgroundTask,
    JobOffer,
    LinkHistory,
    BookmarkletToken,
    ExportPreset,
    Upload,
    CreditBalance,
    CreditTransaction,
    Feedback,
]
OWNED_ROUTES = sorted(route for route, spec in ROUTES.items() if spec.owner)
# Form fields that could smuggle another user's object into an action on one's own.
POST_DATA = {
    "name": "pwned",
    "direction": "up",
    "action": "reject",
    "change": "c1",
    "target": "fr",
    "format": "pdf",
    "preset_name": "pwned",
    "section": "summary",
    "description": "pwned",
    "base_cv": "",
    "suggestions": "0",
}


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of users' data, to prove a refused request wrote nothing."""
    rows = {m.__name__: list(m.objects.order_by("pk").values()) for m in OWNED_DATA}
    rows["User"] = list(User.objects.order_by("pk").values("pk", "role", "is_active", "email"))
    return rows


@pytest.mark.django_db
@pytest.mark.parametrize("route", OWNED_ROUTES)
def test_another_user_gets_404_for_every_method_and_nothing_is_written(
    route, bob_client, alice_client, objects
):
    spec = ROUTES[route]
    path = build_path(route, spec, objects)
    before = snapshot()
    for method in spec.methods:
        response = bob_client.generic(
            method,
            path,
            data=urlencode(POST_DATA) if method == POST else "",
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code == 404, (method, path, response.status_code)
    assert snapshot() == before
    # The same URL reaches its view for the owner, so the 404s above are about ownership
    # (the export preview answers 400 to a request without settings).
    if GET in spec.methods:
        assert alice_client.get(path).status_code in (200, 400)


@pytest.mark.django_db
def test_guessed_ids_next_to_anothers_are_404_too(bob_client, objects):
    for pk in (objects["cv"] - 1, objects["cv"] + 1, objects["cv"] + 1000, 2**31):
        assert bob_client.get(f"/cvs/{pk}/").status_code == 404
    for pk in (objects["offer"] + 1, 2**31):
        assert bob_client.get(f"/offers/{pk}/").status_code == 404


@pytest.mark.django_db
def test_another_users_objects_named_in_a_form_are_ignored(bob, bob_client, objects):
    """Bob acts on his own CV or offer but names Alice's objects in the form or query."""
    bob_cv = cv_services.create_cv(
        bob, content=empty_cv(full_name="Bob Durand", current_title="Chef"), name="Bob CV"
    )
    bob_offer = JobOffer.objects.create(
        user=bob, source_type="text", source_value="text:bob", source_name="Bob offer"
    )
    tasks_before = BackgroundTask.objects.count()

    response = bob_client.post(f"/offers/{bob_offer.pk}/tailor/", {"base_cv": objects["cv"]})
    assert response.status_code == 302
    response = bob_client.post(f"/cvs/{bob_cv.pk}/tailor/", {"offers": [objects["offer"]]})
    assert response.status_code == 400
    assert BackgroundTask.objects.count() == tasks_before

    response = bob_client.post(f"/cvs/{bob_cv.pk}/export/presets/{objects['preset']}/delete/", {})
    assert response.status_code == 404
    assert ExportPreset.objects.filter(pk=objects["preset"]).exists()

    body = bob_client.get(f"/cvs/{bob_cv.pk}/export/", {"preset": objects["preset"]})
    assert "Alice secret preset" not in body.content.decode()

    bob_client.post("/feedback/", {"rating": 5, "comment": "Nice", "cv": objects["cv"]})
    assert Feedback.objects.get(user=bob).current_cv is None


@pytest.mark.django_db
def test_another_users_list_pages_never_show_alices_objects(bob_client, objects):
    for path in (
        "/cvs/",
        "/cvs/tasks/",
        "/cvs/tasks/panel/",
        "/offers/",
        "/billing/history/",
        "/account/",
        "/account/export/",
    ):
        body = bob_client.get(path).content.decode()
        assert "Alice" not in body and "alice@" not in body, path


# --- CSRF -----------------------------------------------------------------------------------


@pytest.fixture
def csrf_client(alice: User) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    return client


def _token(client: Client) -> str:
    client.get("/account/")  # any page with a form sets the cookie
    return client.cookies[settings.CSRF_COOKIE_NAME].value


@pytest.mark.django_db
def test_every_post_without_a_csrf_token_is_refused(csrf_client, objects):
    before = snapshot()
    refused = 0
    for route, spec in all_routes():
        if route in CSRF_EXEMPT:
            continue
        response = csrf_client.post(build_path(route, spec, objects), {"name": "pwned"})
        assert response.status_code == 403, (route, response.status_code)
        refused += 1
    assert refused > 300
    assert snapshot() == before


@pytest.mark.django_db
def test_a_valid_token_from_a_foreign_origin_is_refused(csrf_client, objects):
    token = _token(csrf_client)
    for route, spec in all_routes():
        if route in CSRF_EXEMPT:
            continue
        response = csrf_client.post(
            build_path(route, spec, objects),
            {"csrfmiddlewaretoken": token},
            HTTP_ORIGIN=FOREIGN_ORIGIN,
        )
        assert response.status_code == 403, route
    # The same token from our own origin goes through: the refusals above are the origin's.
    response = csrf_client.post(
        "/language/",
        {"csrfmiddlewaretoken": token, "language": "fr"},
        HTTP_ORIGIN="http://testserver",
    )
    assert response.status_code == 302


# --- Security headers -------------------------------------------------------------------------


def _csp(response: Any) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


# Pages the site frames itself (the export preview): its own origin may frame them, no other.
FRAMED_BY_THE_SITE = {
    "cvs/<int:pk>/export/preview/",
    "cvs/<int:pk>/letters/<int:letter_id>/preview/",
}


def assert_security_headers(response: Any, path: str, *, framed: bool = False) -> None:
    csp = _csp(response)
    scripts = csp.get("script-src", csp.get("default-src"))
    assert scripts == ["'self'"] or (
        "'self'" in scripts and not set(scripts) & set(CSP_FORBIDDEN_IN_SCRIPTS)
    ), path
    assert csp["default-src"] == ["'self'"], path
    assert csp["frame-ancestors"] == (["'self'"] if framed else ["'none'"]), path
    assert csp["object-src"] == ["'none'"], path
    assert csp["base-uri"] == ["'none'"], path
    assert response["X-Content-Type-Options"] == "nosniff", path
    assert response["X-Frame-Options"] == ("SAMEORIGIN" if framed else "DENY"), path
    assert response["Referrer-Policy"] in ("same-origin", "strict-origin-when-cross-origin"), path
    assert response["Cross-Origin-Opener-Policy"] == "same-origin", path


@pytest.mark.django_db
def test_every_html_page_carries_the_security_headers_and_csp(
    client, alice_client, staff_client, objects
):
    pages = 0
    for route, spec in all_routes():
        if GET not in spec.methods:
            continue
        viewer = {PUBLIC: client, LOGIN: alice_client}.get(spec.access, staff_client)
        path = build_path(route, spec, objects)
        response = viewer.get(path)
        assert response.status_code < 500, path
        if response.get("Content-Type", "").startswith("text/html"):
            assert_security_headers(response, path, framed=route in FRAMED_BY_THE_SITE)
            pages += 1
    assert pages > 100


@pytest.mark.django_db
def test_no_page_a_signed_in_user_sees_is_stored_by_the_browser(client, alice, staff, objects):
    private = public = 0
    for route, spec in all_routes():
        if GET not in spec.methods or spec.access in (SIGNED, PROVIDER):
            continue
        signed_in = Client()  # a fresh session each time: a few pages sign the user out
        signed_in.force_login(alice if spec.access in (PUBLIC, LOGIN, REDIRECT) else staff)
        path = build_path(route, spec, objects)
        response = signed_in.get(path)
        if response.wsgi_request.user.is_authenticated:  # still signed in when it answered
            cache_control = response.get("Cache-Control", "")
            # Views with a policy of their own (a never_cache page, a download) keep it.
            assert "no-store" in cache_control or "no-cache" in cache_control, path
            private += 1
        visitor_response = client.get(path)
        if spec.access == PUBLIC and visitor_response["Content-Type"].startswith("text/html"):
            # Public pages stay cacheable for visitors (the sign-in link page aside).
            public += "no-store" not in visitor_response.get("Cache-Control", "")
    assert private > 100 and public > 5


@pytest.mark.django_db
def test_error_pages_carry_the_security_headers_too(client, alice_client):
    assert_security_headers(client.get("/no-such-page/"), "404")
    assert_security_headers(alice_client.get("/cvs/999999/"), "404 of a CV")
