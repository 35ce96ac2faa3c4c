from __future__ import annotations

import pytest
from django.core.management.base import CommandError

from accounts.models import User
from ai.models import OpenAIUsage
from staff.management.commands.seed_dashboards_demo import DEMO_DOMAIN, Command
from telemetry.models import Feedback, TelemetryEvent

pytestmark = pytest.mark.django_db


def _run(**options) -> None:
    command = Command()
    command.handle(**{"users": 6, "seed": 1, **options})


def test_it_creates_a_spread_of_demo_activity(settings):
    settings.DEBUG = True

    _run()

    assert User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").count() == 6
    assert TelemetryEvent.objects.filter(type="USER_REGISTERED").count() == 6
    assert TelemetryEvent.objects.values("timestamp__date").distinct().count() > 1
    assert Feedback.objects.exists()
    assert OpenAIUsage.objects.exists()


def test_it_runs_only_once(settings):
    settings.DEBUG = True
    _run()

    with pytest.raises(CommandError, match="already there"):
        _run()


def test_it_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="development only"):
        _run()
    assert not User.objects.exists()
