from __future__ import annotations

import sys

import pytest
from django.core.management.base import CommandError
from django.db.models import Sum

from accounts.models import User
from ai.accounting import PRODUCT_FEATURES
from ai.models import OpenAICall, OpenAIUsage
from billing import services as billing_services
from billing.models import CreditBalance, CreditTransaction, TransactionType
from staff import dashboards
from staff.dashboards import Period
from staff.management.commands.seed_dashboards_demo import DEMO_DOMAIN, Command
from staff.seed import seed_all
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


@pytest.fixture
def ledger_spy(monkeypatch) -> dict[int, dict[str, object]]:
    """Every ledger row as billing.services.record_transaction created it, by id."""
    recorded: dict[int, dict[str, object]] = {}
    original = billing_services.record_transaction

    def spy(*args, **kwargs):
        row, created = original(*args, **kwargs)
        if created:
            recorded[row.pk] = _ledger_values(row)
        return row, created

    # Every billing module that records ledger rows looks the function up in its own namespace.
    for module in list(sys.modules.values()):
        name = getattr(module, "__name__", "")
        if name.startswith("billing.services") and hasattr(module, "record_transaction"):
            monkeypatch.setattr(module, "record_transaction", spy)
    return recorded


def _ledger_values(row: CreditTransaction) -> dict[str, object]:
    # Refreshed, so values compare as the database stores them (JSON, rounded times).
    row = CreditTransaction.objects.get(pk=row.pk)
    return {field.attname: getattr(row, field.attname) for field in row._meta.concrete_fields}


def test_its_ledger_is_the_services_own_and_every_balance_adds_up(settings, ledger_spy):
    settings.DEBUG = True
    seed_all()

    _run(users=12)

    users = User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}")
    sums = dict(
        CreditTransaction.objects.values("user_id")
        .annotate(total=Sum("amount"))
        .values_list("user_id", "total")
    )
    balances = dict(CreditBalance.objects.values_list("user_id", "balance"))
    assert balances == sums and set(sums) == set(users.values_list("pk", flat=True))
    rows = {row.pk: row for row in CreditTransaction.objects.all()}
    assert set(rows) == set(ledger_spy)
    for pk, row in rows.items():
        # The refund marker is the one change a recorded row may take.
        assert {**_ledger_values(row), "refunded": False} == {
            **ledger_spy[pk],
            "refunded": False,
        }
    kinds = set(CreditTransaction.objects.values_list("type", flat=True))
    assert {TransactionType.GIFT, TransactionType.PURCHASE, TransactionType.USAGE} <= kinds
    assert {TransactionType.REFUND, TransactionType.CHARGEBACK} <= kinds
    assert CreditTransaction.objects.filter(type=TransactionType.USAGE, refunded=True).exists()
    assert CreditTransaction.objects.values("created_at__date").distinct().count() > 5


def test_the_dashboards_show_its_activity(settings, staff_client):
    settings.DEBUG = True
    seed_all()
    _run(users=12)

    period = Period.last_days(90)
    revenue = dashboards.revenue.build(period)
    overview = dashboards.overview.build(period)

    kpis = {kpi.label: kpi for kpi in revenue.kpis}
    assert not kpis["Pack revenue"].hint.startswith("0 ")
    assert any(any(dataset["data"]) for chart in overview.charts for dataset in chart.datasets)
    for page in ("overview", "revenue", "features", "errors", "users"):
        response = staff_client.get(f"/admin/dashboards/{page}/")
        assert response.status_code == 200, page


def test_its_ai_costs_use_the_names_the_gateway_records(settings):
    settings.DEBUG = True
    _run()

    recorded = set(OpenAICall.objects.values_list("feature_name", flat=True))
    assert recorded <= set(PRODUCT_FEATURES)
    board = dashboards.ai_costs.build(Period.last_days(90))
    features = [row["feature"] for row in board.table("features").rows]
    assert "Tailored CV" in features and "↳ cv_adaptation_summary" in features
    models = [row["model"] for row in board.table("models").rows]
    assert "gpt-4.1-mini" in models and "gpt-4.1-mini-2025-04-14" not in models
    assert OpenAICall.objects.filter(user=None).exists()
    assert OpenAICall.objects.exclude(status="ok").exists()
