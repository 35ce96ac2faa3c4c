"""A small Stripe for tests: the objects our handlers re-fetch, events to post, signatures.

`FakeStripe` keeps Stripe objects (sessions, payment intents, charges, invoices,
subscriptions) in memory. Tests either patch the `billing.stripe_api` functions to read from
it (`patch_adapter`), or serve it over loopback HTTP to the real SDK (`handle`, for
pytest-httpserver) to check what the adapter sends. Event envelopes are the recorded shapes
in `stripe_events/<type>.json`; `event()` fills in the object as the fake holds it now.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import itertools
import json
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import parse_qsl

from werkzeug import Request, Response

from accounts.models import User
from billing import stripe_api
from billing.stripe_api import PaymentError

EVENTS_DIR = Path(__file__).parent / "stripe_events"
WEBHOOK_SECRET = "whsec_test_secret_for_local_signatures"
SECRET_KEY = "sk_test_fake_key_that_no_server_accepts"
PREFIXES = {
    "checkout.session": "cs_test",
    "payment_intent": "pi_test",
    "charge": "ch_test",
    "invoice": "in_test",
    "subscription": "sub_test",
    "customer": "cus_test",
    "dispute": "dp_test",
    "event": "evt_test",
    "billing_portal.session": "bps_test",
    "price": "price_test",
    "product": "prod_test",
}


def sign_stripe_payload(payload: bytes | str, secret: str, timestamp: int) -> str:
    """The Stripe-Signature header Stripe would send: HMAC-SHA256 of "<t>.<body>"."""
    body = payload.decode() if isinstance(payload, bytes) else payload
    digest = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def signed_post(client: Any, event: dict[str, Any], *, secret: str = WEBHOOK_SECRET) -> Any:
    """POST an event to the webhook as Stripe does (raw JSON, signed now)."""
    body = json.dumps(event)
    return client.post(
        "/billing/webhook/",
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign_stripe_payload(body, secret, int(time.time())),
    )


def load_event(event_type: str) -> dict[str, Any]:
    return json.loads((EVENTS_DIR / f"{event_type}.json").read_text())


@dataclass
class Recorded:
    method: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]


@dataclass
class FakeStripe:
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    created_sessions: list[dict[str, Any]] = field(default_factory=list)
    mocks: dict[str, mock.MagicMock] = field(default_factory=dict)
    # Idempotency key -> the object the first request with it made (as Stripe keeps them).
    by_key: dict[str, str] = field(default_factory=dict)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    deleted_customers: list[str] = field(default_factory=list)
    # Set to make every customer deletion fail as an unreachable Stripe would.
    failing_deletes: bool = False

    def new_id(self, kind: str) -> str:
        return f"{PREFIXES[kind]}_{next(self._ids):06d}"

    def add(self, obj: dict[str, Any]) -> dict[str, Any]:
        self.objects[obj["id"]] = obj
        return obj

    def get(self, object_id: str) -> dict[str, Any]:
        if object_id not in self.objects:
            raise PaymentError(f"No such object: {object_id}")
        return copy.deepcopy(self.objects[object_id])

    # --- Building consistent objects ---------------------------------------------------

    def pack_purchase(
        self,
        user: Any,
        *,
        credits: int = 50,
        amount: int = 1499,
        pack_id: int | str = "",
        paid: bool = True,
        promo_code_id: str = "",
        customer: str = "",
    ) -> dict[str, dict[str, Any]]:
        """A credit-pack Checkout with its payment intent, charge and invoice."""
        customer = customer or f"cus_test_{user.pk}"
        metadata = {
            "type": "credit_purchase",
            "user_id": str(user.pk),
            "pack_id": str(pack_id),
            "credits": str(credits),
        }
        if promo_code_id:
            metadata["promo_code_id"] = promo_code_id
        session_id, intent_id = self.new_id("checkout.session"), self.new_id("payment_intent")
        charge_id, invoice_id = self.new_id("charge"), self.new_id("invoice")
        intent = self.add(
            {
                "id": intent_id,
                "object": "payment_intent",
                "status": "succeeded" if paid else "processing",
                "amount": amount,
                "amount_received": amount if paid else 0,
                "currency": "eur",
                "customer": customer,
                "latest_charge": charge_id,
                "metadata": dict(metadata),
            }
        )
        charge = self.add(
            {
                "id": charge_id,
                "object": "charge",
                "payment_intent": intent_id,
                "amount": amount,
                "amount_refunded": 0,
                "refunded": False,
                "currency": "eur",
                "customer": customer,
            }
        )
        invoice = self.add(
            {
                "id": invoice_id,
                "object": "invoice",
                "number": f"FMC-{invoice_id[-4:]}",
                "status": "paid" if paid else "open",
                "billing_reason": "manual",
                "customer": customer,
                "parent": None,
                "metadata": dict(metadata),
                "amount_paid": amount if paid else 0,
                "total": amount,
                "currency": "eur",
                "created": 1_780_000_000,
                "hosted_invoice_url": f"https://invoice.stripe.com/i/{invoice_id}",
                "invoice_pdf": f"https://pay.stripe.com/invoice/{invoice_id}/pdf",
                "payments": {
                    "object": "list",
                    "data": [
                        {
                            "object": "invoice_payment",
                            "payment": {"type": "payment_intent", "payment_intent": intent_id},
                        }
                    ],
                },
            }
        )
        session = self.add(
            {
                "id": session_id,
                "object": "checkout.session",
                "mode": "payment",
                "status": "complete",
                "payment_status": "paid" if paid else "unpaid",
                "client_reference_id": str(user.pk),
                "customer": customer,
                "payment_intent": intent_id,
                "invoice": invoice_id,
                "subscription": None,
                "amount_total": amount,
                "currency": "eur",
                "metadata": dict(metadata),
            }
        )
        return {"session": session, "intent": intent, "charge": charge, "invoice": invoice}

    def settle(self, purchase: dict[str, dict[str, Any]]) -> None:
        """A delayed payment (SEPA...) goes through."""
        self.objects[purchase["session"]["id"]]["payment_status"] = "paid"
        self.objects[purchase["intent"]["id"]]["status"] = "succeeded"
        self.objects[purchase["invoice"]["id"]]["status"] = "paid"

    def refund(self, purchase: dict[str, dict[str, Any]], amount: int | None = None) -> None:
        charge = self.objects[purchase["charge"]["id"]]
        charge["amount_refunded"] = charge["amount"] if amount is None else amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount"]

    def dispute(self, purchase: dict[str, dict[str, Any]]) -> dict[str, Any]:
        charge = purchase["charge"]
        return self.add(
            {
                "id": self.new_id("dispute"),
                "object": "dispute",
                "charge": charge["id"],
                "payment_intent": charge["payment_intent"],
                "amount": charge["amount"],
                "status": "needs_response",
                "reason": "fraudulent",
            }
        )

    def subscription(
        self,
        user: Any,
        *,
        price_id: str,
        plan_id: int | str = "",
        status: str = "active",
        interval: str = "month",
        period_start: int = 1_780_000_000,
        customer: str = "",
    ) -> dict[str, Any]:
        customer = customer or f"cus_test_{user.pk}"
        period = 365 * 86400 if interval == "year" else 30 * 86400
        sub_id = self.new_id("subscription")
        return self.add(
            {
                "id": sub_id,
                "object": "subscription",
                "status": status,
                "customer": customer,
                "cancel_at_period_end": False,
                "canceled_at": None,
                "metadata": {
                    "type": "subscription",
                    "user_id": str(user.pk),
                    "plan_id": str(plan_id),
                },
                "items": {
                    "object": "list",
                    "data": [
                        {
                            "id": f"si_{sub_id}",
                            "object": "subscription_item",
                            "price": {
                                "id": price_id,
                                "object": "price",
                                "recurring": {"interval": interval},
                            },
                            "current_period_start": period_start,
                            "current_period_end": period_start + period,
                        }
                    ],
                },
            }
        )

    def subscription_invoice(
        self, subscription: dict[str, Any], *, billing_reason: str = "subscription_create"
    ) -> dict[str, Any]:
        invoice_id = self.new_id("invoice")
        return self.add(
            {
                "id": invoice_id,
                "object": "invoice",
                "status": "paid",
                "billing_reason": billing_reason,
                "customer": subscription["customer"],
                "metadata": {},
                "parent": {
                    "type": "subscription_details",
                    "subscription_details": {
                        "subscription": subscription["id"],
                        "metadata": subscription["metadata"],
                    },
                },
                "amount_paid": 999,
                "total": 999,
                "currency": "eur",
                "created": 1_780_000_000,
                "payments": {"object": "list", "data": []},
            }
        )

    def event(self, event_type: str, object_id: str, *, event_id: str = "") -> dict[str, Any]:
        """The event Stripe would send now about an object, in its recorded envelope."""
        event = load_event(event_type)
        event["id"] = event_id or self.new_id("event")
        event["data"]["object"] = self.get(object_id)
        return event

    # --- As the adapter (patched) -------------------------------------------------------

    def _cancel(self, subscription_id: str) -> dict[str, Any]:
        sub = self.objects[subscription_id]
        sub["status"], sub["canceled_at"] = "canceled", int(time.time())
        return self.get(subscription_id)

    def _create_session(self, **kwargs: Any) -> dict[str, Any]:
        self.created_sessions.append(kwargs)
        session_id = self.new_id("checkout.session")
        return {"id": session_id, "url": f"https://checkout.stripe.com/c/pay/{session_id}"}

    def _create_price(self, *, idempotency_key: str, **params: Any) -> dict[str, Any]:
        if idempotency_key in self.by_key:
            return self.get(self.by_key[idempotency_key])
        product = (
            params.get("product_id")
            or self.add(
                {"id": self.new_id("product"), "object": "product", "name": params["product_name"]}
            )["id"]
        )
        price = self.add(
            {
                "id": self.new_id("price"),
                "object": "price",
                "active": True,
                "product": product,
                "unit_amount": params["unit_amount"],
                "currency": params["currency"],
                "recurring": {"interval": params["interval"]} if params["interval"] else None,
                "metadata": params["metadata"],
            }
        )
        self.by_key[idempotency_key] = price["id"]
        return self.get(price["id"])

    def _archive_price(self, price_id: str) -> dict[str, Any]:
        self.get(price_id)  # PaymentError for an unknown price, as Stripe's 404
        self.objects[price_id]["active"] = False
        return self.get(price_id)

    def _delete_customer(self, customer_id: str) -> None:
        if self.failing_deletes:
            raise PaymentError("The payment service could not be reached.")
        self.deleted_customers.append(customer_id)
        # As Stripe does: the customer's subscriptions end at once.
        for obj in self.objects.values():
            if obj["object"] == "subscription" and obj["customer"] == customer_id:
                obj["status"], obj["canceled_at"] = "canceled", int(time.time())

    def _customer(self, user: Any) -> str:
        if not user.stripe_customer_id:
            User.objects.filter(pk=user.pk).update(stripe_customer_id=f"cus_test_{user.pk}")
            user.stripe_customer_id = f"cus_test_{user.pk}"
        return user.stripe_customer_id

    @contextmanager
    def patch_adapter(self) -> Iterator[dict[str, mock.MagicMock]]:
        """Replace the adapter's functions by this fake (autospec: the signatures hold)."""
        fakes = {
            "retrieve_checkout_session": self.get,
            "retrieve_payment_intent": self.get,
            "retrieve_subscription": self.get,
            "retrieve_invoice": self.get,
            "retrieve_charge": self.get,
            "cancel_subscription": self._cancel,
            "create_checkout_session": self._create_session,
            "get_or_create_customer": self._customer,
            "delete_customer": self._delete_customer,
            "create_price": self._create_price,
            "archive_price": self._archive_price,
            "create_portal_session": lambda customer_id, return_url: (
                f"https://billing.stripe.com/p/session/{customer_id}"
            ),
            "list_invoices": lambda customer_id: [
                self.get(i)
                for i, o in self.objects.items()
                if o["object"] == "invoice" and o["customer"] == customer_id
            ],
        }
        with ExitStack() as stack:
            self.mocks = {
                name: stack.enter_context(
                    mock.patch.object(stripe_api, name, autospec=True, side_effect=fake)
                )
                for name, fake in fakes.items()
            }
            yield self.mocks

    # --- As an HTTP server (pytest-httpserver handler) ------------------------------------

    def handle(self, request: Request) -> Response:
        """Answer the SDK like api.stripe.com would, for the few endpoints we use."""
        params = dict(parse_qsl(request.get_data(as_text=True), keep_blank_values=True))
        params.update(request.args.to_dict())
        self.requests.append(Recorded(request.method, request.path, params, dict(request.headers)))
        parts = request.path.strip("/").split("/")
        if request.method == "POST" and request.path == "/v1/checkout/sessions":
            session_id = self.new_id("checkout.session")
            obj = self.add(
                {
                    "id": session_id,
                    "object": "checkout.session",
                    "mode": params.get("mode"),
                    "url": f"https://checkout.stripe.com/c/pay/{session_id}",
                    "client_reference_id": params.get("client_reference_id"),
                    "payment_status": "unpaid",
                    "status": "open",
                }
            )
            return _json(obj)
        if request.method == "POST" and request.path == "/v1/prices":
            key = request.headers.get("Idempotency-Key", "")
            if key in self.by_key:
                return _json(self.objects[self.by_key[key]])
            product = (
                params.get("product")
                or self.add({"id": self.new_id("product"), "object": "product"})["id"]
            )
            interval = params.get("recurring[interval]")
            price = self.add(
                {
                    "id": self.new_id("price"),
                    "object": "price",
                    "active": True,
                    "product": product,
                    "unit_amount": int(params["unit_amount"]),
                    "currency": params["currency"],
                    "recurring": {"interval": interval} if interval else None,
                }
            )
            self.by_key[key] = price["id"]
            return _json(price)
        if request.method == "POST" and parts[:2] == ["v1", "prices"] and len(parts) == 3:
            existing = self.objects.get(parts[2])
            if existing is not None:
                existing["active"] = params.get("active") != "false"
                return _json(existing)
        deleting_customer = request.method == "DELETE" and parts[:2] == ["v1", "customers"]
        if deleting_customer and len(parts) == 3 and parts[2] in self.objects:
            self.objects.pop(parts[2])
            self.deleted_customers.append(parts[2])
            return _json({"id": parts[2], "object": "customer", "deleted": True})
        if request.method == "POST" and request.path == "/v1/customers":
            return _json(self.add({"id": self.new_id("customer"), "object": "customer"}))
        if request.method == "GET" and request.path == "/v1/invoices":
            customer = params.get("customer")
            data = [o for o in self.objects.values() if o.get("customer") == customer]
            return _json({"object": "list", "data": data, "has_more": False, "url": "/v1/invoices"})
        if request.method == "GET" and len(parts) >= 3:
            obj = self.objects.get(parts[-1])
            if obj is not None:
                return _json(obj)
        error = {
            "error": {
                "type": "invalid_request_error",
                "code": "resource_missing",
                "message": "No such object",
            }
        }
        return Response(json.dumps(error), status=404, content_type="application/json")


def _json(obj: dict[str, Any]) -> Response:
    return Response(json.dumps(obj), status=200, content_type="application/json")
