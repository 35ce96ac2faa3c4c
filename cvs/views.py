from __future__ import annotations

import copy
import functools
import json
import math
import uuid
from datetime import timedelta
from typing import Any
from uuid import UUID

from allauth.core import ratelimit
from csp.decorators import csp_replace
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts.onboarding import record_step
from billing.context_processors import CreditSummary
from billing.http import redirect_payment_required
from billing.models import CreditBalance
from billing.services import (
    PaymentRequired,
    charge_feature,
    export_watermark,
    feature_cost,
    refund_charge,
)
from core.config import get_setting
from core.decorators import (
    claim_submission,
    feature_required,
    once_per_submission,
    queued_response,
    submission_token,
)
from core.http import AuthenticatedHttpRequest
from core.pdftext import PdfRejected
from core.prepared import PreparedQuery
from cvdoc.document import DEFAULT_SECTION_ORDER, CvValidationError
from cvs import ranking as ranking_
from cvs import services
from cvs.diff import diff_cvs
from cvs.export import (
    DENSITIES,
    ExportOptions,
    export_filename,
    letter_filename,
    render_docx,
    render_html,
    render_letter_docx,
    render_letter_html,
    render_letter_pdf,
    render_pdf,
    write_pdf,
)
from cvs.fit import FitResult, fit_export, review_rows
from cvs.forms import (
    ITEM_SECTIONS,
    LANGUAGE_CHOICES,
    SECTION_FORMS,
    CoverLetterForm,
    CreateCvForm,
    ExportForm,
    ExportPresetForm,
    ImportJsonResumeForm,
    ImportPdfForm,
    ImproveForm,
    JobTitleForm,
    LetterExportForm,
    LetterOfferForm,
    RankedChoiceForm,
    RankForm,
    RenameCvForm,
    ReviewForm,
    SectionForm,
    TailorForm,
    TranslateForm,
)
from cvs.imports import FORMAT_NAMES, UnknownFormat, detect_format
from cvs.jsonresume import to_json_resume
from cvs.models import (
    CV,
    CoverLetter,
    CoverLetterVersion,
    CVQuerySet,
    CVVersion,
    ExportPreset,
)
from cvs.review import review_progress
from joboffers.fetch import InvalidUrl
from joboffers.forms import UseOfferForm, master_cvs
from joboffers.models import JobOffer
from joboffers.services import (
    ReadingLimitReached,
    add_offer_from_text,
    add_offer_from_url,
    mark_read_states,
    read_state,
)
from jobs import services as job_services
from jobs.models import ACTIVE_STATUSES, BackgroundTask, TaskStatus, TaskType
from telemetry import events
from telemetry.events import record_event

TASK_LIST_LIMIT = 100
LANGUAGE_LABELS = dict(LANGUAGE_CHOICES)
PANEL_LIMIT = 5


def _get_task_for_user(request: AuthenticatedHttpRequest, task_id: UUID) -> BackgroundTask:
    return get_object_or_404(BackgroundTask.objects.owned_by(request.user), pk=task_id)


# What a task's row shows: never its payload, which may hold a whole CV and offer.
TASK_ROW_FIELDS = (
    "status", "title", "success_message", "result", "error", "progress", "step", "created_at",
)  # fmt: skip


def _tasks_queryset(tasks: QuerySet[BackgroundTask], limit: int) -> QuerySet[BackgroundTask]:
    """The first `limit` of these tasks: running first, then queued, then the newest finished
    ones."""
    order = Case(
        When(status=TaskStatus.RUNNING, then=Value(0)),
        When(status=TaskStatus.QUEUED, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return tasks.only(*TASK_ROW_FIELDS).order_by(order, "-created_at")[:limit]


# The panel is polled every second while a task runs: its query is compiled once.
_USER_TASKS = PreparedQuery(
    lambda limit, user_id: _tasks_queryset(BackgroundTask.objects.filter(user=user_id), limit)
)


def _tasks_for(request: AuthenticatedHttpRequest, limit: int) -> list[BackgroundTask]:
    """The user's first `limit` tasks (of one device, if asked): the panel reads its five
    rows only."""
    device = request.GET.get("device", "")
    if device:
        tasks = BackgroundTask.objects.owned_by(request.user).filter(device_id=device)
        return list(_tasks_queryset(tasks, limit))
    return _USER_TASKS.fetch(limit, user_id=request.user.pk)


LIST_PAGE_SIZE = 25
LIST_FIELDS = (
    "name", "filename", "blocked", "created_by", "language", "match_score", "created_at",
    "updated_at",
)  # fmt: skip
SORTS = {
    "updated": "-updated_at",
    "created": "-created_at",
    "name": "name",
    "score": "-match_score",
}


def _get_cv_for_user(
    request: AuthenticatedHttpRequest, pk: int, *, writable: bool = False, editor: bool = False
) -> CV:
    """The only way a view loads a CV: another user's CV is a 404, a blocked one read-only.
    For the editor's page (`editor`), what its side panel counts and the top bar's balance
    come in the same query."""
    if editor:
        found = _EDITOR_CV.fetch(pk=pk, user_id=request.user.pk)
        if not found:
            raise Http404
        cv = found[0]
    else:
        cv = get_object_or_404(CV.objects.owned_by(request.user), pk=pk)
    if writable and cv.blocked:
        raise PermissionDenied(
            _("This CV is read-only: %(reason)s") % {"reason": cv.blocked_reason or _("blocked")}
        )
    return cv


def _list_rows_queryset(
    found: QuerySet[CV], ordering: tuple[str, ...], start: int, user_id: int
) -> QuerySet[CV]:
    """The page's rows with the columns the list shows, the total found and the top bar's
    balance, in one query.

    The page is chosen by its ids in a subquery, and the total counted in another, so that
    only its LIST_PAGE_SIZE rows are read in full: the title comes out of each row's JSON
    document, which would otherwise be read for every CV the user keeps."""
    ids = found.order_by(*ordering).values("pk")[start : start + LIST_PAGE_SIZE]
    total = found.order_by().values("user").annotate(n=Count("pk")).values("n")
    return (
        CV.objects.filter(pk__in=ids)
        .order_by(*ordering)
        .only(*LIST_FIELDS)
        .annotate(
            current_title=KT("content__header__current_title"),
            total=Subquery(total),
            **CreditBalance.objects.summary_columns(user_id),
        )
    )


# Without a search, the list's query is the same for every user but for their id: compiled
# once per process and page (core.prepared).
_ALL_ROWS = PreparedQuery(
    lambda shape, user_id: _list_rows_queryset(
        CV.objects.filter(user=user_id), shape[0], shape[1], user_id
    )
)


def _list_rows(
    found: QuerySet[CV], searched: bool, ordering: tuple[str, ...], number: int, user_id: int
) -> list[CV]:
    start = (number - 1) * LIST_PAGE_SIZE
    if not searched:
        return _ALL_ROWS.fetch((ordering, start), user_id=user_id)
    return list(_list_rows_queryset(found, ordering, start, user_id))


def _list_page(
    found: QuerySet[CV], searched: bool, ordering: tuple[str, ...], number: str | None, user_id: int
) -> Page[CV]:
    """One page of LIST_PAGE_SIZE CVs, however many a user keeps: one query (a page number
    past the end shows the last page, as Paginator.get_page does, for one query more)."""
    try:
        wanted = max(1, int(number or 1))
    except ValueError:
        wanted = 1
    rows = _list_rows(found, searched, ordering, wanted, user_id)
    if not rows and wanted > 1:
        wanted = max(1, math.ceil(found.count() / LIST_PAGE_SIZE))
        rows = _list_rows(found, searched, ordering, wanted, user_id)
    paginator = Paginator(found, LIST_PAGE_SIZE)
    total: int = rows[0].total if rows else 0  # type: ignore[attr-defined]  # from _list_rows
    paginator.count = total
    return Page(rows, wanted, paginator)


@login_required
@require_GET
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    cvs = CV.objects.owned_by(request.user)
    query = request.GET.get("q", "").strip()
    if query:
        cvs = cvs.filter(
            Q(name__icontains=query)
            | Q(content__header__current_title__icontains=query)
            | Q(source_value__icontains=query)
        )
    sort = request.GET.get("sort", "updated")
    user = request.user
    ordering = (SORTS.get(sort, "-updated_at"), "-pk")
    page = _list_page(cvs, bool(query), ordering, request.GET.get("page"), user.pk)
    others = request.GET.copy()
    others.pop("page", None)
    language = user.language or "en"
    ctx: dict[str, Any] = {
        "cvs": page.object_list,
        "page": page,
        "others": others.urlencode(),
        "cvs_url": reverse("cvs:index"),
        "query": query,
        "sort": sort,
        # Rendered only when the cached cards are not (they vary on the e-mail and language).
        "email": user.email,
        "language": language,
        "create_form": SimpleLazyObject(lambda: CreateCvForm(initial={"email": user.email})),
        "import_form": SimpleLazyObject(ImportJsonResumeForm),
        "title_form": SimpleLazyObject(lambda: JobTitleForm(initial={"language": language})),
    }
    if page.object_list:
        # The top bar's balance came with the rows (_list_rows); an empty list reads it alone.
        ctx["credit_summary"] = CreditSummary.from_row(user.pk, page.object_list[0])
    return render(request, "cvs/index.html", ctx)


@login_required
@feature_required("feature_manual_cv")
@require_POST
def create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = CreateCvForm(request.POST)
    if not form.is_valid():
        return render(request, "cvs/create.html", {"form": form}, status=400)
    try:
        cv = services.create_blank_cv(request.user, **form.cleaned_data)
    except CvValidationError as exc:
        form.add_error(None, str(exc))
        return render(request, "cvs/create.html", {"form": form}, status=400)
    except PaymentRequired as exc:
        return redirect_payment_required(request, exc)
    return redirect("cvs:detail", cv.pk)


@login_required
@require_POST
def import_json(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ImportJsonResumeForm(request.POST, request.FILES)
    if form.is_valid():
        document = form.cleaned_data["file"]
        try:
            cv, result = services.import_json_file(
                request.user, document=document, filename=request.FILES["file"].name
            )
        except UnknownFormat:
            form.add_error(
                "file",
                _(
                    "We do not recognise this JSON file. We import JSON Resume, Reactive "
                    "Resume (v3 and v4) and Resume-Matcher exports."
                ),
            )
        except CvValidationError as exc:
            name = FORMAT_NAMES.get(detect_format(document) or "", "JSON")
            form.add_error(
                "file",
                _("This is not a valid %(format)s file: %(e)s") % {"format": name, "e": exc},
            )
        else:
            messages.success(
                request,
                _("Your CV was imported from %(format)s.") % {"format": result.format_name},
            )
            if result.kept:
                messages.info(
                    request,
                    _(
                        "These fields have no place of their own in a FitMyCV CV and were kept "
                        "in Additional information: %(fields)s."
                    )
                    % {"fields": ", ".join(result.kept)},
                )
            if result.hidden:
                messages.info(
                    request,
                    _(
                        "These entries were hidden in %(format)s and are shown in your CV now; "
                        "remove those you do not want: %(entries)s."
                    )
                    % {"format": result.format_name, "entries": "; ".join(result.hidden)},
                )
            return redirect("cvs:detail", cv.pk)
    return render(request, "cvs/import_json.html", {"form": form}, status=400)


# The jobs a CV's page follows live, and how long a finished one stays told there (a failure's
# reason, the link to a translation).
LIVE_TYPES = (
    TaskType.CALCULATE_MATCH_SCORE,
    TaskType.IMPROVE_CV,
    TaskType.TRANSLATE_CV,
    TaskType.WRITE_COVER_LETTER,
)
# Jobs whose result is another page (a translated CV, a letter): told with a link once done.
NEWS_TYPES = (TaskType.TRANSLATE_CV, TaskType.WRITE_COVER_LETTER)
LIVE_RECENT = timedelta(minutes=10)


def _live_tasks(cv: CV) -> QuerySet[BackgroundTask]:
    """The jobs the CV's page tells live: running, or finished lately with news to tell."""
    recent = timezone.now() - LIVE_RECENT
    return BackgroundTask.objects.filter(cv=cv, type__in=LIVE_TYPES).filter(
        Q(status__in=ACTIVE_STATUSES)
        | Q(status=TaskStatus.FAILED, finished_at__gte=recent)
        | Q(status=TaskStatus.COMPLETED, type__in=NEWS_TYPES, finished_at__gte=recent)
    )


@functools.cache
def _editor_cvs() -> CVQuerySet:
    """CVs with the editor's side panel in their own query: the offer, the number of saved
    versions (version_count) and whether a job may have news to tell live (has_live_tasks: a
    running one, a failure, a translation or a letter, however old; _cv_live then looks
    closer). A page of the editor costs one query for the CV, whatever the number of its
    versions and jobs.

    Built once per process (never evaluated, only filtered): building these subqueries cost
    more than running the query."""
    versions = (
        CVVersion.objects.filter(cv=OuterRef("pk"), version__gt=0)
        .order_by()
        .values("cv")
        .annotate(n=Count("pk"))
        .values("n")
    )
    news = BackgroundTask.objects.filter(cv=OuterRef("pk"), type__in=LIVE_TYPES).filter(
        Q(status__in=[*ACTIVE_STATUSES, TaskStatus.FAILED])
        | Q(status=TaskStatus.COMPLETED, type__in=NEWS_TYPES)
    )
    return CV.objects.select_related("job_offer").annotate(
        version_count=Coalesce(Subquery(versions), 0), has_live_tasks=Exists(news)
    )


# The editor's CV with the top bar's balance, compiled once per process (core.prepared).
_EDITOR_CV = PreparedQuery(
    lambda shape, pk, user_id: (
        _editor_cvs()
        .annotate(**CreditBalance.objects.summary_columns(user_id))
        .filter(user=user_id, pk=pk)
        .order_by()  # one row: the model's default ordering would only add a sort
    )
)


def _cv_live(cv: CV) -> dict[str, Any]:
    """The CV's running jobs (the page polls while there is one), its recent failures and
    its recent translations."""
    if getattr(cv, "has_live_tasks", True):
        tasks = list(_live_tasks(cv).order_by("-created_at")[:3])
    else:
        tasks = []  # known from the CV's own query (_editor_cvs)
    active = [str(task.pk) for task in tasks if task.is_active]
    return {"tasks": tasks, "polling": bool(active), "watch": ",".join(active)}


def _live_response(request: AuthenticatedHttpRequest, cv: CV) -> HttpResponse:
    """The answer to the CV page's poll: the same polling part while a job runs; once none
    does, the final part and the score card (out of band), or the whole editor after an
    improvement (it rewrote the document and opened the review)."""
    live = _cv_live(cv)
    if live["polling"]:
        return render(request, "cvs/detail.html#cv-live", {"cv": cv, "live": live})
    watched = []
    for value in request.GET.get("watch", "").split(","):
        try:
            watched.append(uuid.UUID(value))
        except ValueError:
            continue
    improved = BackgroundTask.objects.filter(
        cv=cv, pk__in=watched, type=TaskType.IMPROVE_CV
    ).exists()
    if improved:
        versions = cv.versions.filter(version__gt=0).count()
        ctx = _editor_context(cv, version_count=versions)
        response = render(request, "cvs/detail.html#editor-body", ctx)
        response["HX-Retarget"] = "#editor"
        response["HX-Reswap"] = "outerHTML"
        return response
    return render(request, "cvs/detail.html#cv-live", _editor_context(cv, live=live, oob=True))


def _editor_context(cv: CV, **extra: Any) -> dict[str, Any]:
    content = cv.content
    order = list(content.get("section_order") or DEFAULT_SECTION_ORDER)
    progress = review_progress(cv.pending_changes)
    return {
        "cv": cv,
        # Built once: the editor links every entry's controls from this prefix (the URLs of
        # cvs/urls.py), which is much cheaper than dozens of reverse() calls per page.
        "cv_url": cv.get_absolute_url(),
        "content": content,
        "section_order": order,
        "item_sections": ITEM_SECTIONS,
        "review": progress if cv.pending_changes else None,
        # Without the editor (`feature_edit_mode` off) the document shows without its controls.
        "read_only": not get_setting("feature_edit_mode"),
        "improve_form": ImproveForm(cv=cv) if cv.improvement_suggestions is not None else None,
        "translate_form": TranslateForm(),
        # Read only by the pages that show the side panel.
        "live": SimpleLazyObject(lambda: _cv_live(cv)),
        **extra,
    }


@login_required
@require_GET
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    cv = _get_cv_for_user(request, pk, editor=True)
    section = request.GET.get("section", "")
    if request.htmx and request.GET.get("part") == "live":
        return _live_response(request, cv)
    if request.htmx and section in SECTION_FORMS:
        return render(request, "cvs/detail.html#section", _editor_context(cv, section=section))
    versions: int = cv.version_count  # type: ignore[attr-defined]  # from _editor_cvs
    ctx = _editor_context(cv, version_count=versions)
    ctx["credit_summary"] = CreditSummary.from_row(request.user.pk, cv)
    return render(request, "cvs/detail.html", ctx)


def _section_form(section: str) -> type[SectionForm]:
    form_class = SECTION_FORMS.get(section)
    if form_class is None:
        raise Http404("No such section")
    return form_class


def _item_index(cv: CV, section: str, index: int | None) -> int | None:
    if index is None:
        return None
    if section not in ITEM_SECTIONS or index >= len(cv.content.get(section) or []):
        raise Http404("No such entry")
    return index


@login_required
@feature_required("feature_edit_mode")
@require_http_methods(["GET", "POST"])
def edit_section(
    request: AuthenticatedHttpRequest, pk: int, section: str, index: int | None = None
) -> HttpResponse:
    cv = _get_cv_for_user(request, pk, writable=True)
    form_class = _section_form(section)
    index = _item_index(cv, section, index)
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                services.save_cv_content(cv, form.apply(cv.content, index))
            except CvValidationError as exc:
                form.add_document_errors(exc.errors)
            else:
                if request.htmx:
                    ctx = _editor_context(cv, section=section, saved=True)
                    return render(request, "cvs/detail.html#section", ctx)
                messages.success(request, _("Saved."))
                return redirect(f"{cv.get_absolute_url()}#section-{section}")
        status = 400
    else:
        form = form_class(initial=form_class.initial_from(cv.content, index))
        status = 200
    ctx = _editor_context(cv, section=section, form=form, index=index, editing=section)
    if request.htmx:
        # htmx swaps only 2xx answers: the form with its errors must come back as a 200.
        return render(request, "cvs/detail.html#section-form", ctx)
    ctx["version_count"] = cv.versions.filter(version__gt=0).count()
    return render(request, "cvs/detail.html", ctx, status=status)


@login_required
@feature_required("feature_edit_mode")
@require_POST
def remove_item(
    request: AuthenticatedHttpRequest, pk: int, section: str, index: int
) -> HttpResponse:
    cv = _get_cv_for_user(request, pk, writable=True)
    index = _item_index(cv, section, index)
    content = copy.deepcopy(cv.content)
    del content[section][index]
    services.save_cv_content(cv, content)
    return _after_structure_change(request, cv, section)


def _new_position(request: AuthenticatedHttpRequest, index: int) -> int:
    """Where a moved entry or section goes: to the place `to` it was dragged to, or one step
    in the `direction` of the arrow button (kept for keyboards and browsers without scripts)."""
    to = request.POST.get("to", "")
    if to.isdigit():
        return int(to)
    return index - 1 if request.POST.get("direction") == "up" else index + 1


@login_required
@feature_required("feature_edit_mode")
@require_POST
def move_item(request: AuthenticatedHttpRequest, pk: int, section: str, index: int) -> HttpResponse:
    cv = _get_cv_for_user(request, pk, writable=True)
    index = _item_index(cv, section, index)
    assert index is not None
    target = _new_position(request, index)
    content = copy.deepcopy(cv.content)
    items = content[section]
    if 0 <= target < len(items) and target != index:
        items.insert(target, items.pop(index))
        services.save_cv_content(cv, content)
    return _after_structure_change(request, cv, section)


@login_required
@feature_required("feature_edit_mode")
@require_POST
def move_section(request: AuthenticatedHttpRequest, pk: int, section: str) -> HttpResponse:
    cv = _get_cv_for_user(request, pk, writable=True)
    _section_form(section)
    # The header always stays first: positions count the other sections only.
    order = list(cv.content.get("section_order") or DEFAULT_SECTION_ORDER)
    others = [name for name in order if name != "header"]
    if section in others:
        index = others.index(section)
        target = _new_position(request, index)
        if 0 <= target < len(others) and target != index:
            others.insert(target, others.pop(index))
            services.save_cv_content(cv, {**cv.content, "section_order": ["header", *others]})
    if request.htmx:
        return render(request, "cvs/detail.html#document", _editor_context(cv))
    return redirect(f"{cv.get_absolute_url()}#section-{section}")


def _after_structure_change(
    request: AuthenticatedHttpRequest, cv: CV, section: str
) -> HttpResponse:
    if request.htmx:
        return render(request, "cvs/detail.html#section", _editor_context(cv, section=section))
    return redirect(f"{cv.get_absolute_url()}#section-{section}")


@login_required
@require_POST
def rename(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    cv = _get_cv_for_user(request, pk, writable=True)
    form = RenameCvForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A CV needs a name (200 characters at most)."))
        return redirect(cv.get_absolute_url())
    services.rename_cv(cv, name=form.cleaned_data["name"])
    return redirect(request.POST.get("next") == "list" and "cvs:index" or cv.get_absolute_url())


@login_required
@require_POST
def duplicate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    cv = _get_cv_for_user(request, pk)
    copy_ = services.duplicate_cv(cv)
    messages.success(request, _("The CV was duplicated."))
    return redirect(copy_.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    cv = _get_cv_for_user(request, pk)
    if request.method == "POST":
        cv.delete()
        messages.success(request, _("The CV was deleted."))
        return redirect("cvs:index")
    return render(request, "cvs/delete.html", {"cv": cv})


@login_required
@require_GET
def versions(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    cv = _get_cv_for_user(request, pk)
    return render(
        request,
        "cvs/versions.html",
        {
            "cv": cv,
            "owner": cv,
            "versions": cv.versions.filter(version__gt=0).defer("content").order_by("-version"),
            "has_source": cv.versions.filter(version=0).exists(),
            "letters": cv.cover_letters.order_by("-created_at"),
        },
    )


def _get_version(cv: CV, number: int) -> CVVersion:
    return get_object_or_404(CVVersion, cv=cv, version=number)


@login_required
@require_GET
def version_detail(request: AuthenticatedHttpRequest, pk: int, number: int) -> HttpResponse:
    cv = _get_cv_for_user(request, pk)
    version = _get_version(cv, number)
    ctx = _editor_context(cv, version=version, read_only=True)
    ctx["content"] = version.content
    ctx["section_order"] = version.content.get("section_order") or DEFAULT_SECTION_ORDER
    return render(request, "cvs/detail.html", ctx)


@login_required
@require_POST
def restore(request: AuthenticatedHttpRequest, pk: int, number: int) -> HttpResponse:
    cv = _get_cv_for_user(request, pk, writable=True)
    version = _get_version(cv, number)
    services.restore_version(cv, version)
    messages.success(request, _("Version %(n)s was restored.") % {"n": number})
    return redirect(cv.get_absolute_url())


@login_required
@require_GET
def diff(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    cv = _get_cv_for_user(request, pk)

    def side(key: str) -> tuple[str, dict[str, Any]]:
        value = request.GET.get(key, "current")
        if value == "current":
            return _("Current"), cv.content
        if value == "0":
            return _("Source CV"), _get_version(cv, 0).content
        # ASCII digits that fit the column: "²" is a digit to str.isdigit, not to int().
        if not (value.isascii() and value.isdigit()) or len(value) > 9:
            raise Http404("Unknown version")
        return _("Version %(n)s") % {"n": value}, _get_version(cv, int(value)).content

    left_label, left = side("a")
    right_label, right = side("b")
    ctx = {
        "cv": cv,
        "sections": diff_cvs(left, right, language=cv.language),
        "left_label": left_label,
        "right_label": right_label,
        "versions": cv.versions.filter(version__gt=0).defer("content").order_by("-version"),
        "a": request.GET.get("a", "current"),
        "b": request.GET.get("b", "current"),
    }
    return render(request, "cvs/diff.html", ctx)


@login_required
@require_GET
def export_json_resume(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    cv = _get_cv_for_user(request, pk)
    document = to_json_resume(cv.content)
    record_event(
        events.CV_EXPORTED, user=request.user, metadata={"cv": cv.pk, "format": "json-resume"}
    )
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{cv.filename.removesuffix(".json")}.resume.json"'
    )
    return response


def _render_tasks(request: AuthenticatedHttpRequest, template: str, limit: int) -> HttpResponse:
    """The tasks page and the floating panel both show this one reading of the tasks; each
    refresh of the page's list also redraws the panel from it, so the two never disagree."""
    task_list = _tasks_for(request, limit)
    panel = task_list[:PANEL_LIMIT]
    ctx = {
        "tasks": task_list,
        "polling": any(t.is_active for t in task_list),
        "panel_tasks": panel,
        "panel_polling": any(t.is_active for t in panel),
    }
    return render(request, template, ctx)


@never_cache
@login_required
@require_GET
def tasks(request: AuthenticatedHttpRequest) -> HttpResponse:
    template = "cvs/tasks.html#task-list" if request.htmx else "cvs/tasks.html"
    return _render_tasks(request, template, TASK_LIST_LIMIT)


@never_cache
@login_required
@require_GET
def task_panel(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _render_tasks(request, "cvs/tasks.html#task-panel", PANEL_LIMIT)


@never_cache
@login_required
@require_GET
def task(request: AuthenticatedHttpRequest, task_id: UUID) -> HttpResponse:
    """One task followed until it ends: the page polls it every second, and a task that made
    a CV or an offer sends the user straight to it."""
    task = _get_task_for_user(request, task_id)
    url = task.result_url()
    if url and request.htmx:
        return HttpResponseClientRedirect(url)
    if url:
        return redirect(url)
    template = "cvs/tasks.html#task-status" if request.htmx else "cvs/task.html"
    return render(request, template, {"task": task})


@login_required
@require_POST
def cancel_task(request: AuthenticatedHttpRequest, task_id: UUID) -> HttpResponse:
    task = _get_task_for_user(request, task_id)
    job_services.cancel_task(task)
    if request.htmx and request.POST.get("from") == "status":
        task.refresh_from_db()
        return render(request, "cvs/tasks.html#task-status", {"task": task})
    if request.htmx and request.POST.get("from") == "panel":
        return _render_tasks(request, "cvs/tasks.html#task-panel", PANEL_LIMIT)
    if request.htmx:
        return _render_tasks(request, "cvs/tasks.html#task-list", TASK_LIST_LIMIT)
    return redirect("cvs:tasks")


def _is_preset_id(value: str) -> bool:
    """ASCII digits that fit the id column: anything else picks no preset."""
    return value.isascii() and value.isdigit() and len(value) <= 18


# Settings a preset keeps: the layout, never which entries of one particular CV were picked.
PRESET_KEYS = ("template", "paper", "sections", "hide_levels", "hide_skill_groups", "fit_pages")
EXPORT_FORMATS = {
    "pdf": (render_pdf, "application/pdf"),
    "docx": (
        render_docx,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
}


def _export_form(request: AuthenticatedHttpRequest, cv: CV, data: Any = None) -> ExportForm:
    offers = JobOffer.objects.owned_by(request.user)
    if data is not None:
        return ExportForm(data, content=cv.content, offers=offers)
    form = ExportForm(content=cv.content, offers=offers, initial={"fit_offer": cv.job_offer_id})
    preset_id = request.GET.get("preset", "")
    if _is_preset_id(preset_id):
        preset = ExportPreset.objects.filter(user=request.user, pk=preset_id).first()
        if preset:
            form.initial.update({k: v for k, v in preset.options.items() if k in PRESET_KEYS})
    return form


def _options(options: dict[str, Any], user: Any) -> ExportOptions:
    result = ExportOptions.from_dict(options)
    result.watermark = export_watermark(user)
    return result


def _initial_options(form: ExportForm) -> dict[str, Any]:
    """The options the unbound form shows, as a dict ExportOptions accepts."""
    get = lambda name: form.initial.get(name, form.fields[name].initial)  # noqa: E731
    return {
        "template": get("template"),
        "paper": get("paper"),
        "language": get("language") or None,
        "sections": list(get("sections")),
        "hide_levels": bool(get("hide_levels")),
        "hide_skill_groups": list(get("hide_skill_groups") or []),
        "fit_pages": get("fit_pages") or None,
    }


def _fit_offer(form: ExportForm) -> dict[str, Any] | None:
    offer = form.cleaned_data["fit_offer"]
    return offer.content if offer else None


def _fit_context(
    cv: CV, form: ExportForm, options: ExportOptions | None, fitted: FitResult | None
) -> dict[str, Any]:
    """The fit panel: the result, and the bullets on review, the accepted ones ticked."""
    if fitted is None or options is None:
        return {"fit": None}
    rows = review_rows(cv.content, options, fitted, offer=_fit_offer(form))
    return {
        "fit": fitted,
        "fit_rows": rows,
        "fit_accepted": sum(accepted for _, accepted in rows),
        "fit_step": fitted.density,
        "fit_steps": len(DENSITIES) - 1,
    }


@login_required
@feature_required("feature_export")
@require_http_methods(["GET", "POST"])
def export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    cv = _get_cv_for_user(request, pk)
    fitted = None
    if request.method == "POST":
        form = _export_form(request, cv, request.POST)
        kind = request.POST.get("format", "pdf")
        if kind == "fit" or "fit_all" in request.POST:
            # The fit panel's buttons, posted without htmx: the same check as export_fit.
            return _check_fit(request, cv, form)
        if kind in EXPORT_FORMATS and form.is_valid():
            options = _options(form.options(), request.user)
            if options.fit_pages:
                fitted = fit_export(cv.content, options, offer=_fit_offer(form))
                # A file longer than asked is only made once the user saw it does not fit
                # and chose to download it anyway (the page count they were shown).
                if not fitted.fits and request.POST.get("fit_accept_pages") != str(fitted.pages):
                    return _export_page(request, cv, form, options, fitted, status=200)
                options.density = fitted.density
            renderer, content_type = EXPORT_FORMATS[kind]
            # One export per page load: the page's one-time token pays for one file. Posted
            # again (a double click, a resent request, the page kept open after the download)
            # it gives no file and takes nothing; the page comes back with a fresh token.
            if submission_token(request):
                submission = claim_submission(request, result_url=request.path)
                if submission is None:
                    messages.info(
                        request,
                        _(
                            "This export was already downloaded. Download again for a new "
                            "export (charged anew)."
                        ),
                    )
                    return redirect("cvs:export", cv.pk)
                key = f"export:{cv.pk}:{submission.pk}"
            else:
                submission = None
                key = f"export:{cv.pk}:{uuid.uuid4().hex}"  # no token: each post is paid
            try:
                charge_feature(request.user, "export_cv", key=key, cv=cv)
            except PaymentRequired as exc:
                if submission is not None:
                    submission.delete()  # nothing was taken: the page may be sent again
                return redirect_payment_required(request, exc)
            try:
                if kind == "pdf" and fitted is not None and fitted.document is not None:
                    document = write_pdf(fitted.document)  # the fitted layout, not laid out again
                else:
                    document = renderer(cv.content, options)
            except Exception:
                # A failed render costs nothing; its token stays used, so a retry pays anew.
                refund_charge(request.user, key=key)
                raise
            record_step(request.user, "export_pdf")
            record_event(
                events.CV_EXPORTED, user=request.user, metadata={"cv": cv.pk, "format": kind}
            )
            response = HttpResponse(document, content_type=content_type)
            filename = export_filename(cv.content, options, kind)
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            if fitted is not None and kind == "pdf":
                response["X-Page-Count"] = str(fitted.pages)
            return response
        return _export_page(request, cv, form, None, None, status=400)
    return _export_page(request, cv, _export_form(request, cv), None, None, status=200)


def _export_page(
    request: AuthenticatedHttpRequest,
    cv: CV,
    form: ExportForm,
    options: ExportOptions | None,
    fitted: FitResult | None,
    *,
    status: int,
) -> HttpResponse:
    preview = request.POST.urlencode() if form.is_bound else _initial_preview_query(request)
    ctx = {
        "cv": cv,
        "form": form,
        "preview_query": preview,
        "presets": ExportPreset.objects.filter(user=request.user),
        "preset_form": ExportPresetForm(),
        **_fit_context(cv, form, options, fitted),
    }
    return render(request, "cvs/export.html", ctx, status=status)


@login_required
@feature_required("feature_export")
@require_POST
def export_fit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Fit the export to the pages asked for and show the result: the layout step, the page
    count, and the bullets proposed for removal when tightening is not enough. Nothing is
    charged: only a download is."""
    cv = _get_cv_for_user(request, pk)
    return _check_fit(request, cv, _export_form(request, cv, request.POST))


# Fitting lays the CV out up to ten times (about a second of a web process) and is free: a
# user may check so many fits a minute (ACCOUNT_RATE_LIMITS["export_fit"], allauth's limiter).
FIT_LIMIT = {"action": "export_fit"}


def _check_fit(request: AuthenticatedHttpRequest, cv: CV, form: ExportForm) -> HttpResponse:
    valid = form.is_valid()
    status = 200 if valid else 400
    if valid and form.cleaned_data["fit_pages"] is None:
        form.add_error("fit_pages", _("Choose 1 or 2 pages to fit the CV to."))
        valid, status = False, 400
    if valid and not ratelimit.consume(request, **FIT_LIMIT):
        form.add_error("fit_pages", _("Too many fit checks in a minute. Please wait a moment."))
        valid, status = False, 429
    options = fitted = None
    if valid:
        options = _options(form.options(), request.user)
        offer = _fit_offer(form)
        choice = request.POST.get("fit_all")
        if choice == "reject":
            options.drop_bullets = []
        fitted = fit_export(cv.content, options, offer=offer)
        if choice == "accept" and fitted.proposal:
            proposal = {b.path for b in fitted.proposal}
            options.drop_bullets = sorted({*options.drop_bullets, *proposal})
            fitted = fit_export(cv.content, options, offer=offer)
    if not request.htmx:
        return _export_page(request, cv, form, options, fitted, status=status)
    # htmx swaps only 2xx answers: the panel with its errors must come back as a 200.
    ctx = {"cv": cv, "form": form, **_fit_context(cv, form, options, fitted)}
    return render(request, "cvs/export.html#fit-result", ctx)


def _initial_preview_query(request: AuthenticatedHttpRequest) -> str:
    """The preview frame's query for the page as first shown (its preset, if one was picked)."""
    query = QueryDict(mutable=True)
    query["initial"] = "1"
    if _is_preset_id(request.GET.get("preset", "")):
        query["preset"] = request.GET["preset"]
    return query.urlencode()


@login_required
@require_GET
@xframe_options_sameorigin
@csp_replace({"frame-ancestors": ["'self'"]})
@feature_required("feature_export")
def export_preview(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The export as the PDF will lay it out: the same HTML document, shown in a frame of the
    export page. A change of the settings (htmx) points the frame at the new settings."""
    cv = _get_cv_for_user(request, pk)
    if request.htmx:
        query = request.GET.urlencode()
        return render(request, "cvs/export.html#preview-frame", {"cv": cv, "preview_query": query})
    if "initial" in request.GET:
        options = _initial_options(_export_form(request, cv))
    else:
        form = _export_form(request, cv, request.GET)
        if not form.is_valid():
            return HttpResponse(
                '<p class="form-errors">' + _("These export settings are not valid.") + "</p>",
                status=400,
            )
        options = form.options()
    return HttpResponse(render_html(cv.content, _options(options, request.user), for_preview=True))


@login_required
@feature_required("feature_export")
@require_POST
def save_preset(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    cv = _get_cv_for_user(request, pk)
    form = _export_form(request, cv, request.POST)
    name_form = ExportPresetForm(request.POST)
    if form.is_valid() and name_form.is_valid():
        options = {k: v for k, v in form.options().items() if k in PRESET_KEYS}
        preset, _created = ExportPreset.objects.update_or_create(
            user=request.user,
            name=name_form.cleaned_data["preset_name"],
            defaults={"options": options},
        )
        messages.success(request, _("Export settings saved as “%(name)s”.") % {"name": preset})
        return redirect(f"{reverse('cvs:export', args=[cv.pk])}?preset={preset.pk}")
    messages.error(request, _("Give the settings a name (80 characters at most)."))
    return redirect("cvs:export", cv.pk)


@login_required
@feature_required("feature_export")
@require_POST
def delete_preset(request: AuthenticatedHttpRequest, pk: int, preset_id: int) -> HttpResponse:
    cv = _get_cv_for_user(request, pk)
    get_object_or_404(ExportPreset, user=request.user, pk=preset_id).delete()
    return redirect("cvs:export", cv.pk)


# --- AI features ---------------------------------------------------------------------------


@login_required
@feature_required("feature_import")
@require_POST
@once_per_submission
def import_pdf(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ImportPdfForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a PDF file to import."))
        return redirect("cvs:index")
    upload = form.cleaned_data["file"]
    try:
        task = services.start_pdf_import(
            request.user,
            data=upload.read(),
            name=upload.name,
            content_type=upload.content_type or "",
            device_id=request.POST.get("device_id", ""),
        )
    except PdfRejected as exc:
        messages.error(request, exc.message)
        return redirect("cvs:index")
    except PaymentRequired as exc:
        return redirect_payment_required(request, exc)
    return queued_response(
        request,
        _("Your PDF is being imported. Your CV opens when ready."),
        reverse("cvs:task", args=[task.pk]),
    )


@login_required
@feature_required("feature_search_bar")
@require_POST
@once_per_submission
def from_job_title(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = JobTitleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a job title (2 to 120 characters)."))
        return redirect("cvs:index")
    try:
        services.start_example_cv(
            request.user,
            job_title=form.cleaned_data["job_title"],
            language=form.cleaned_data["language"],
        )
    except PaymentRequired as exc:
        return redirect_payment_required(request, exc)
    return queued_response(request, _("An example CV is being written."), "cvs:tasks")


@login_required
@feature_required("feature_ai_generation")
@require_http_methods(["GET", "POST"])
@once_per_submission
def tailor(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:

    cv = _get_cv_for_user(request, pk)
    form = TailorForm(request.POST or None, offers=_recent_offers(request))
    if request.method == "POST" and form.is_valid():
        chosen = list(
            JobOffer.objects.owned_by(request.user).filter(pk__in=form.cleaned_data["offers"])
        )
        try:
            if form.cleaned_data["url"]:
                chosen.append(add_offer_from_url(request.user, form.cleaned_data["url"]))
            if form.cleaned_data["text"].strip():
                chosen.append(add_offer_from_text(request.user, form.cleaned_data["text"]))
        except InvalidUrl as exc:
            form.add_error("url", exc.message)
        else:
            try:
                tasks = services.start_tailoring(
                    request.user,
                    base_cv=cv,
                    offers=chosen,
                    device_id=request.POST.get("device_id", ""),
                )
            except PaymentRequired as exc:
                return redirect_payment_required(request, exc)
            return queued_response(
                request,
                _("%(n)s tailored CV(s) on the way.") % {"n": len(tasks)},
                "cvs:tasks",
            )
    ctx = {"cv": cv, "form": form, "cost": feature_cost("gpt_cv_generation")}
    return render(request, "cvs/tailor.html", ctx, status=400 if form.errors else 200)


@login_required
@feature_required("feature_match_score")
@require_POST
@once_per_submission
def score(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    cv = _get_cv_for_user(request, pk)
    if not (cv.job_offer_id or cv.job_offer_snapshot):
        messages.error(request, _("Only a CV made for a job offer can be scored."))
        return redirect(cv.get_absolute_url())
    try:
        services.start_scoring(cv)
    except PaymentRequired as exc:
        return redirect_payment_required(request, exc)
    return queued_response(request, _("The match score is being computed."), cv.get_absolute_url())


@login_required
@feature_required("feature_optimize")
@require_POST
@once_per_submission
def improve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    cv = _get_cv_for_user(request, pk, writable=True)
    form = ImproveForm(request.POST, cv=cv)
    if not form.is_valid():
        for error in form.non_field_errors() + form.errors.get("context", []):
            messages.error(request, str(error))
        return redirect(f"{cv.get_absolute_url()}#score")
    level = int(form.cleaned_data["skill_level"])
    try:
        services.start_improvement(
            cv,
            suggestions=form.cleaned_data["suggestions"],
            user_context=form.cleaned_data["context"],
            add_skills=[{"skill": s, "level": level} for s in form.cleaned_data["skills"]],
        )
    except PaymentRequired as exc:
        return redirect_payment_required(request, exc)
    return queued_response(request, _("Your CV is being improved."), cv.get_absolute_url())


@login_required
@feature_required("feature_translate")
@require_GET
def translate_plan(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """What the translation will do and cost, shown before the user confirms it."""
    cv = _get_cv_for_user(request, pk)
    source = cv.content.get("language") or cv.language
    choices = [(value, label) for value, label in LANGUAGE_CHOICES if value != source]
    target = request.GET.get("target", "")
    if target not in dict(choices):
        target = choices[0][0]
    ctx = {
        "cv": cv,
        "choices": choices,
        "target": target,
        "plan": services.translation_plan(cv, target),
        "cost": feature_cost("translate_cv"),
    }
    return render(request, "cvs/translate.html", ctx)


@login_required
@feature_required("feature_translate")
@require_POST
@once_per_submission
def translate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    cv = _get_cv_for_user(request, pk)
    form = TranslateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a language."))
        return redirect(cv.get_absolute_url())
    try:
        services.start_translation(cv, target=form.cleaned_data["target"])
    except PaymentRequired as exc:
        return redirect_payment_required(request, exc)
    return queued_response(request, _("The translation is on its way."), cv.get_absolute_url())


@login_required
@require_POST
def review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    cv = _get_cv_for_user(request, pk, writable=True)
    pending = [c for c in cv.pending_changes or [] if c.get("status") == "pending"]
    form = ReviewForm(request.POST, pending=pending)
    if form.is_valid():
        services.review_changes(
            cv, change_ids=form.cleaned_data["change"], action=form.cleaned_data["action"]
        )
        cv.refresh_from_db()
    elif not request.htmx:
        messages.error(request, _("These changes were already reviewed."))
    if request.htmx:
        ctx = _editor_context(cv)
        return render(request, "cvs/detail.html#editor-body", ctx)
    return redirect(f"{cv.get_absolute_url()}#review")


# --- Started from an offer's page (mounted under /offers/ by cvs.offer_urls) ---------------


def _refuse_unread_offer(request: AuthenticatedHttpRequest, offer: JobOffer) -> HttpResponse:
    """Nothing is made (nor charged) from an offer whose reading failed."""
    messages.error(
        request, _("This offer could not be read: read it again or paste its text first.")
    )
    return redirect("joboffers:detail", offer.pk)


@login_required
@feature_required("feature_ai_generation")
@require_POST
@once_per_submission
def tailor_to_offer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    offer = read_state(get_object_or_404(JobOffer.objects.owned_by(request.user), pk=pk))
    if offer.read_failed:
        return _refuse_unread_offer(request, offer)
    form = UseOfferForm(request.POST, cvs=master_cvs(request.user))
    if not form.is_valid():
        messages.error(request, _("Choose one of your CVs."))
        return redirect("joboffers:detail", offer.pk)
    base = get_object_or_404(CV.objects.owned_by(request.user), pk=form.cleaned_data["base_cv"])
    try:
        services.start_tailoring(request.user, base_cv=base, offers=[offer])
    except PaymentRequired as exc:
        return redirect_payment_required(request, exc)
    return queued_response(request, _("Your tailored CV is on its way."), "cvs:tasks")


@login_required
@feature_required("feature_ai_generation")
@require_POST
@once_per_submission
def example_cv_for_offer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    offer = read_state(get_object_or_404(JobOffer.objects.owned_by(request.user), pk=pk))
    if offer.read_failed:
        return _refuse_unread_offer(request, offer)
    try:
        services.start_example_cv(request.user, offer=offer)
    except PaymentRequired as exc:
        return redirect_payment_required(request, exc)
    return queued_response(
        request, _("An example CV for this offer is being written."), "cvs:tasks"
    )


# --- Ranking offers before paying ----------------------------------------------------------


@login_required
@feature_required("feature_match_score")
@require_GET
def rank_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The ranking of the CV asked for (?cv=), else of the user's most recent own CV."""
    wanted = request.GET.get("cv", "")
    if wanted.isdigit():
        return redirect("cvs:rank", _get_cv_for_user(request, int(wanted)).pk)
    cv = master_cvs(request.user).first()
    if cv is None:
        messages.info(request, _("Add a CV first: the ranking scores it against your offers."))
        return redirect("cvs:index")
    return redirect("cvs:rank", cv.pk)


def _rank_context(
    request: AuthenticatedHttpRequest, cv: CV, form: RankForm, ranking: ranking_.Ranking
) -> dict[str, Any]:
    # The model's re-ranking is offered only with a provider: the offline engine has no
    # better ranking than the free one, and never charges for work it cannot do well.
    provider = settings.AI_ENGINE != "offline"
    return {
        "cv": cv,
        "form": form,
        "ranking": ranking,
        "cvs": master_cvs(request.user),
        "rerank_offered": provider,
        "rerank_count": len(ranking.top_saved()),
        "rerank_cost": feature_cost("rerank_offers"),
        "rerank_task": ranking_.latest_rerank(cv) if provider else None,
        "tailor_cost": feature_cost("gpt_cv_generation"),
        "max_pasted": ranking_.MAX_PASTED_OFFERS,
    }


def _rank_page(
    request: AuthenticatedHttpRequest,
    cv: CV,
    form: RankForm,
    *,
    pasted: list[ranking_.PastedOffer] | None = None,
    status: int = 200,
) -> HttpResponse:
    ctx = _rank_context(request, cv, form, ranking_.rank(cv, pasted=pasted or []))
    if request.htmx:
        # htmx swaps only 2xx answers: the ranking with its errors comes back as a 200.
        return render(request, "cvs/rank.html#ranking", ctx)
    return render(request, "cvs/rank.html", ctx, status=status)


@login_required
@feature_required("feature_match_score")
@require_http_methods(["GET", "POST"])
def rank(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The CV scored against every saved offer, and the offers pasted (POST): free, offline.
    Nothing is stored: pasted offers are saved only from `rank_choose`."""
    cv = _get_cv_for_user(request, pk)
    if request.method == "GET":
        return _rank_page(request, cv, RankForm())
    form = RankForm(request.POST)
    if not form.is_valid():
        return _rank_page(request, cv, form, status=400)
    return _rank_page(request, cv, form, pasted=form.cleaned_data["offers_text"])


@login_required
@feature_required("feature_ai_generation")
@require_POST
@once_per_submission
def rank_choose(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Tailor the CV to the offers ticked on the ranking (the multi-offer tailoring), or save
    the pasted ones ticked; all or nothing."""
    cv = _get_cv_for_user(request, pk)
    form = RankedChoiceForm(request.POST)
    if not form.is_valid():
        return _rank_page(request, cv, form, status=400)
    data = form.cleaned_data
    offers = mark_read_states(
        JobOffer.objects.owned_by(request.user).filter(pk__in=data["offer_ids"])
    )
    if len(offers) != len(set(data["offer_ids"])):
        raise Http404("No such offer.")  # another user's offer, or one deleted since
    refused = ranking_.unreadable(data["pasted"], user_id=request.user.pk)
    refused += [str(offer) for offer in offers if offer.read_failed]
    if refused:
        form.add_error(
            None,
            _("“%(offers)s” could not be read: it cannot be chosen.")
            % {"offers": ", ".join(refused)},
        )
    if form.errors:
        return _rank_page(request, cv, form, pasted=data["offers_text"], status=400)
    texts = [item.text for item in data["pasted"]]
    try:
        if data["action"] == "save":
            saved = services.save_pasted_offers(request.user, texts=texts)
            messages.success(
                request,
                ngettext("%(n)d offer saved.", "%(n)d offers saved.", len(saved))
                % {"n": len(saved)},
            )
            return redirect("cvs:rank", cv.pk)
        tasks = services.tailor_to_ranked_offers(
            request.user,
            base_cv=cv,
            offers=offers,
            pasted=texts,
            device_id=request.POST.get("device_id", ""),
        )
    except ReadingLimitReached as exc:
        form.add_error(None, exc.message)
        return _rank_page(request, cv, form, pasted=data["offers_text"], status=429)
    except PaymentRequired as exc:
        return redirect_payment_required(request, exc)
    return queued_response(
        request, _("%(n)s tailored CV(s) on the way.") % {"n": len(tasks)}, "cvs:tasks"
    )


@login_required
@feature_required("feature_match_score")
@require_POST
@once_per_submission
def rerank(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The ten best saved offers scored again by the model: paid once, refunded on failure."""
    cv = _get_cv_for_user(request, pk)
    form = RankForm({})
    form.is_valid()  # an empty paste: the page's form, to carry this view's error
    if settings.AI_ENGINE == "offline":
        form.add_error(
            None,
            _(
                "Re-ranking with an AI model needs an AI provider, which this site does not "
                "have. The ranking below is the offline engine's, free."
            ),
        )
        return _rank_page(request, cv, form, status=400)
    ranking = ranking_.rank(cv)
    offer_ids = ranking.top_saved()
    if not offer_ids:
        form.add_error(None, _("None of your saved offers could be ranked: nothing to re-rank."))
        return render(
            request, "cvs/rank.html", _rank_context(request, cv, form, ranking), status=400
        )
    try:
        services.start_reranking(
            cv, offer_ids=offer_ids, device_id=request.POST.get("device_id", "")
        )
    except PaymentRequired as exc:
        return redirect_payment_required(request, exc)
    return queued_response(
        request,
        _("Your best offers are being scored by the AI model."),
        reverse("cvs:rank", args=[cv.pk]),
    )


# --- Cover letters ---------------------------------------------------------------------------


def _get_letter_for_user(
    request: AuthenticatedHttpRequest, pk: int, letter_id: int, *, writable: bool = False
) -> CoverLetter:
    """The only way a view loads a cover letter: through its CV, another user's is a 404."""
    letters = CoverLetter.objects.owned_by(request.user).select_related("cv")
    letter = get_object_or_404(letters, pk=letter_id, cv_id=pk)
    if writable and letter.cv.blocked:
        raise PermissionDenied(
            _("This CV is read-only: %(reason)s")
            % {"reason": letter.cv.blocked_reason or _("blocked")}
        )
    return letter


def _recent_offers(request: AuthenticatedHttpRequest) -> list[JobOffer]:
    """The user's 50 newest offers, marked read or not: what tailoring and letters offer."""
    return mark_read_states(JobOffer.objects.owned_by(request.user).order_by("-created_at")[:50])


@login_required
@feature_required("feature_cover_letter")
@require_http_methods(["GET", "POST"])
@once_per_submission
def letters(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The CV's cover letters, and the form that writes a new one for one of the offers."""
    cv = _get_cv_for_user(request, pk)
    form = LetterOfferForm(request.POST or None, offers=_recent_offers(request))
    if request.method == "POST" and form.is_valid():
        offer = get_object_or_404(
            JobOffer.objects.owned_by(request.user), pk=form.cleaned_data["offer"]
        )
        try:
            services.start_cover_letter(
                cv, offer=offer, device_id=request.POST.get("device_id", "")
            )
        except PaymentRequired as exc:
            return redirect_payment_required(request, exc)
        return queued_response(
            request, _("Your cover letter is being written."), cv.get_absolute_url()
        )
    ctx = {
        "cv": cv,
        "form": form,
        "letters": cv.cover_letters.order_by("-created_at"),
        "cost": feature_cost("cover_letter"),
        "language": LANGUAGE_LABELS.get(cv.content.get("language", cv.language), ""),
    }
    return render(request, "cvs/letters.html", ctx, status=400 if form.errors else 200)


@login_required
@feature_required("feature_cover_letter")
@require_http_methods(["GET", "POST"])
def letter(request: AuthenticatedHttpRequest, pk: int, letter_id: int) -> HttpResponse:
    """The letter's editor: every save keeps the text it replaces as a version."""
    letter = _get_letter_for_user(request, pk, letter_id, writable=request.method == "POST")
    if request.method == "POST":
        form = CoverLetterForm(request.POST)
        if form.is_valid():
            letter = services.save_letter(letter, content=form.cleaned_data["content"])
            if request.htmx:
                return _letter_page(request, letter, saved=True)
            messages.success(request, _("The letter was saved."))
            return redirect(letter.get_absolute_url())
        # htmx swaps only 2xx answers: the form with its errors comes back as a 200.
        return _letter_page(request, letter, form=form, status=200 if request.htmx else 400)
    return _letter_page(request, letter)


def _letter_page(
    request: AuthenticatedHttpRequest,
    letter: CoverLetter,
    *,
    form: CoverLetterForm | None = None,
    export_form: LetterExportForm | None = None,
    status: int = 200,
    saved: bool = False,
) -> HttpResponse:
    ctx = {
        "saved": saved,
        "cv": letter.cv,
        "letter": letter,
        "form": form or CoverLetterForm(initial=CoverLetterForm.initial_from(letter.content)),
        "export_form": export_form or LetterExportForm(),
        "version_count": letter.versions.count(),
    }
    template = "cvs/letter.html#letter-layout" if request.htmx else "cvs/letter.html"
    return render(request, template, ctx, status=status)


@login_required
@feature_required("feature_cover_letter")
@require_GET
def letter_versions(request: AuthenticatedHttpRequest, pk: int, letter_id: int) -> HttpResponse:
    letter = _get_letter_for_user(request, pk, letter_id)
    ctx = {
        "cv": letter.cv,
        "letter": letter,
        "owner": letter,
        "versions": letter.versions.order_by("-version"),
    }
    return render(request, "cvs/letter_versions.html", ctx)


@login_required
@feature_required("feature_cover_letter")
@require_POST
def restore_letter(
    request: AuthenticatedHttpRequest, pk: int, letter_id: int, number: int
) -> HttpResponse:
    letter = _get_letter_for_user(request, pk, letter_id, writable=True)
    version = get_object_or_404(CoverLetterVersion, letter=letter, version=number)
    services.restore_letter_version(letter, version)
    messages.success(request, _("Version %(n)s was restored.") % {"n": number})
    return redirect(letter.get_absolute_url())


@login_required
@feature_required("feature_cover_letter")
@require_POST
def delete_letter(request: AuthenticatedHttpRequest, pk: int, letter_id: int) -> HttpResponse:
    letter = _get_letter_for_user(request, pk, letter_id, writable=True)
    letter.delete()
    messages.success(request, _("The cover letter was deleted."))
    return redirect("cvs:letters", pk)


def _letter_data(letter: CoverLetter) -> dict[str, Any]:
    return {
        "content": letter.content,
        "company": letter.company,
        "role": letter.role,
        "language": letter.language,
    }


LETTER_FORMATS = {
    "pdf": (render_letter_pdf, "application/pdf"),
    "docx": (
        render_letter_docx,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
}


@login_required
@feature_required("feature_cover_letter")
@feature_required("feature_export")
@require_GET
def letter_export(request: AuthenticatedHttpRequest, pk: int, letter_id: int) -> HttpResponse:
    """The letter as PDF or DOCX in one of the CV's templates. Free: the letter was paid for
    when it was written, and it is not a CV export."""
    letter = _get_letter_for_user(request, pk, letter_id)
    form = LetterExportForm(request.GET)
    if not form.is_valid():
        return _letter_page(request, letter, export_form=form, status=400)
    kind = form.cleaned_data["format"] or "pdf"
    options = ExportOptions(
        template=form.cleaned_data["template"], paper=form.cleaned_data["paper"]
    )
    options.watermark = export_watermark(request.user)
    renderer, content_type = LETTER_FORMATS[kind]
    document = renderer(letter.cv.content, _letter_data(letter), options, day=timezone.localdate())
    response = HttpResponse(document, content_type=content_type)
    filename = letter_filename(letter.cv.content, _letter_data(letter), kind)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
@xframe_options_sameorigin
@csp_replace({"frame-ancestors": ["'self'"]})
@feature_required("feature_cover_letter")
def letter_preview(request: AuthenticatedHttpRequest, pk: int, letter_id: int) -> HttpResponse:
    """The letter as its PDF lays it out, shown in a frame of the letter's page."""
    letter = _get_letter_for_user(request, pk, letter_id)
    if request.htmx:  # a change of template or paper points the frame at the new settings
        ctx = {"cv": letter.cv, "letter": letter, "preview_query": request.GET.urlencode()}
        return render(request, "cvs/letter.html#preview-frame", ctx)
    form = LetterExportForm(request.GET or None)
    template = form.cleaned_data["template"] if form.is_valid() else "classic"
    paper = form.cleaned_data["paper"] if form.is_valid() else "a4"
    options = ExportOptions(template=template, paper=paper)
    html = render_letter_html(
        letter.cv.content, _letter_data(letter), options, day=timezone.localdate(), for_preview=True
    )
    return HttpResponse(html)
