from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from emails import mail, services
from emails.forms import EmailTemplateForm, PreviewForm, allowed_variables
from emails.models import (
    EmailLog,
    EmailStatus,
    EmailTemplate,
    EmailTrigger,
    InactivityNotice,
)

DASHBOARD_DAYS = 30
# The preview shows staff-written HTML: no script, no network but images, framed only by us.
PREVIEW_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; font-src https: data:; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'; sandbox"
)


@admin.register(EmailTrigger)
class EmailTriggerAdmin(admin.ModelAdmin):
    list_display = ["name", "label", "category", "is_system"]
    list_filter = ["category", "is_system"]
    search_fields = ["name", "label"]


@admin.register(EmailTemplate)
class EmailTemplateAdmin(admin.ModelAdmin):
    form = EmailTemplateForm
    list_display = ["name", "subject", "trigger", "is_active", "updated_at"]
    list_filter = ["is_active", "trigger"]
    search_fields = ["name", "subject"]
    readonly_fields = ["available_variables"]
    fieldsets = [
        (None, {"fields": ["name", "trigger", "is_active", "available_variables"]}),
        ("Content", {"fields": ["subject", "html_content", "text_content"]}),
    ]
    actions = ["send_test_to_me", "activate"]

    @admin.display(description="Variables")
    def available_variables(self, obj: EmailTemplate) -> str:
        if obj.pk is None:
            return "Choose the trigger and save: its variables are listed here."
        return ", ".join(f"{{{{ {name} }}}}" for name in allowed_variables(obj))

    def get_urls(self) -> list[URLPattern]:
        opts = self.model._meta
        prefix = f"{opts.app_label}_{opts.model_name}"
        return [
            path(
                "preview/",
                self.admin_site.admin_view(self.preview_view),
                name=f"{prefix}_preview",
            ),
            path(
                "<path:object_id>/send-test/",
                self.admin_site.admin_view(require_POST(self.send_test_view)),
                name=f"{prefix}_send_test",
            ),
            *super().get_urls(),
        ]

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: EmailTemplate | None = None,
    ) -> HttpResponse:
        preview_url = reverse("admin:emails_emailtemplate_preview")
        context["preview_url"] = preview_url
        context["preview_frame_url"] = f"{preview_url}?id={obj.pk}" if obj is not None else ""
        if obj is not None:
            context["send_test_url"] = reverse(
                "admin:emails_emailtemplate_send_test", args=[obj.pk]
            )
            context["preview"] = _preview(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def preview_view(self, request: HttpRequest) -> HttpResponse:
        """The editor's preview: a saved template (GET ?id=) or the draft being edited (POST).

        `part=json` answers the subject, text and error for the panel; otherwise the HTML body
        alone, served under its own strict CSP so it can be framed without running anything.
        """
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            form = PreviewForm(request.POST)
            if not form.is_valid():
                return JsonResponse({"error": "Invalid preview request."}, status=400)
            template = form.draft()
            part = request.POST.get("part", "html")
        else:
            template_id = request.GET.get("id", "")
            if not template_id.isdigit():
                raise Http404("No template to preview")
            template = get_object_or_404(EmailTemplate, pk=template_id)
            part = request.GET.get("part", "html")
        preview = _preview(template)
        if part == "json":
            return JsonResponse(preview)
        if preview["error"]:
            body = format_html(
                "<!doctype html><html><body><p>This template cannot be rendered: {}</p>"
                "</body></html>",
                preview["error"],
            )
        else:
            body = preview["html"]
        response = HttpResponse(body)
        response["Content-Security-Policy"] = PREVIEW_CSP
        response["X-Frame-Options"] = "SAMEORIGIN"
        response["Cache-Control"] = "no-store"
        return response

    def send_test_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        template = get_object_or_404(EmailTemplate, pk=object_id)
        if not self.has_change_permission(request, template):
            raise PermissionDenied
        self._send_test(request, template)
        return HttpResponseRedirect(
            reverse("admin:emails_emailtemplate_change", args=[template.pk])
        )

    @admin.action(description="Send a test e-mail to me")
    def send_test_to_me(self, request: HttpRequest, queryset: QuerySet[EmailTemplate]) -> None:
        for template in queryset:
            self._send_test(request, template)

    @admin.action(description="Activate (and deactivate the other templates of its trigger)")
    def activate(self, request: HttpRequest, queryset: QuerySet[EmailTemplate]) -> None:
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one template to activate.", messages.ERROR)
            return
        template = queryset.get()
        services.activate_template(template)
        self.message_user(request, f"“{template.name}” is now the active template.")

    def _send_test(self, request: HttpRequest, template: EmailTemplate) -> None:
        try:
            services.send_test_email(template, user=request.user)  # type: ignore[arg-type]
        except mail.EmailTemplateError as exc:
            self.message_user(request, f"“{template.name}” cannot be sent: {exc}", messages.ERROR)
        else:
            self.message_user(
                request, f"A test of “{template.name}” is on its way to {request.user.email}."
            )


def _preview(template: EmailTemplate) -> dict[str, str]:
    variables = mail.sample_variables(mail.variable_names(template))
    try:
        rendered = mail.render_template(template, variables)
    except mail.EmailTemplateError as exc:
        return {"subject": "", "text": "", "html": "", "error": str(exc)}
    return {"subject": rendered.subject, "text": rendered.text, "html": rendered.html, "error": ""}


@admin.register(EmailLog)
class EmailLogAdmin(admin.ModelAdmin):
    """The delivery log and dashboard: read-only, bodies hidden (they may hold sign-in links)."""

    list_display = [
        "created_at",
        "template_name",
        "recipient_email",
        "subject",
        "status",
        "provider",
        "is_test_email",
    ]
    list_filter = ["status", "template_name", "is_test_email", "provider", "created_at"]
    search_fields = ["recipient_email", "subject", "provider_message_id"]
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "sent_at",
        "updated_at",
        "template_name",
        "template",
        "recipient_email",
        "recipient_user",
        "subject",
        "status",
        "error",
        "provider",
        "provider_message_id",
        "is_test_email",
    ]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: EmailLog | None = None) -> bool:
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> TemplateResponse:
        recent = EmailLog.objects.filter(
            created_at__gte=timezone.now() - timedelta(days=DASHBOARD_DAYS), is_test_email=False
        )
        by_status = recent.counts_by("status")
        extra_context = {
            **(extra_context or {}),
            "dashboard_days": DASHBOARD_DAYS,
            "status_counts": [
                (label, by_status.get(value, 0)) for value, label in EmailStatus.choices
            ],
            "provider_counts": sorted(recent.counts_by("provider").items()),
        }
        return super().changelist_view(request, extra_context)  # type: ignore[return-value]


@admin.register(InactivityNotice)
class InactivityNoticeAdmin(admin.ModelAdmin):
    list_display = ["user", "for_last_activity", "deletion_date", "sent_at"]
    date_hierarchy = "sent_at"
    raw_id_fields = ["user", "email_log"]
    search_fields = ["user__email"]
    readonly_fields = ["user", "for_last_activity", "deletion_date", "sent_at", "email_log"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
