from __future__ import annotations

from django.http import HttpRequest, HttpResponseBase
from django.views.decorators.csrf import csrf_exempt

from emails import mail


@csrf_exempt
def resend_tracking(request: HttpRequest) -> HttpResponseBase:
    # Authenticated by the provider's signature, not by a session: no CSRF token to check.
    return mail.handle_tracking_webhook(request)
