from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.http import AuthenticatedHttpRequest
from cvs.models import CV


@login_required
@require_GET
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    cvs = CV.objects.owned_by(request.user).order_by("-updated_at")
    return render(request, "cvs/index.html", {"cvs": cvs})
