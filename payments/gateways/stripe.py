"""The one module that imports stripe (STYLE rule 7).

Every call carries a timeout and, when it creates something, an idempotency
key derived from our own row, so a retried request can never charge twice.
Callers must not be inside a database transaction: a network call must not
hold row locks, and a rollback cannot undo a charge. Webhook signatures are
checked with stripe's own Webhook.construct_event over the raw request body.
"""

from __future__ import annotations

from typing import Any

import stripe
from django.conf import settings
from django.db import connection

# Connect, then read: Stripe answers PaymentIntent calls within a few seconds;
# past 30 s the request is retried (same idempotency key) or left to reconcile.
TIMEOUT_SECONDS = (5, 30)
MAX_NETWORK_RETRIES = 2
# Stripe's own default: an event signed more than five minutes ago is stale.
SIGNATURE_TOLERANCE_SECONDS = 300
CURRENCY = "krw"  # zero-decimal at Stripe: amounts are whole won


class SignatureInvalid(Exception):
    """The body was not signed with our webhook secret, or too long ago."""


class GatewayError(Exception):
    """Stripe refused a call or could not be reached; `transient` says whether a retry
    may succeed."""

    def __init__(self, message: str, *, transient: bool):
        super().__init__(message)
        self.transient = transient


def id_of(value: Any) -> str:
    """A reference in a Stripe object as its id, whether expanded (a dict) or not."""
    if isinstance(value, dict):
        return value.get("id") or ""
    return value or ""


def _outside_transaction() -> None:
    if connection.in_atomic_block:
        raise RuntimeError("Stripe calls must not run inside a database transaction")


def _client() -> stripe.StripeClient:
    base = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY, base_addresses=base,
        http_client=stripe.RequestsClient(timeout=TIMEOUT_SECONDS),
        max_network_retries=MAX_NETWORK_RETRIES,
    )


def _call(function, params: dict, *, idempotency_key: str | None = None) -> dict[str, Any]:
    _outside_transaction()
    options = {"idempotency_key": idempotency_key} if idempotency_key else None
    try:
        return function(params, options).to_dict()
    except (stripe.APIConnectionError, stripe.RateLimitError) as error:
        raise GatewayError(str(error), transient=True) from error
    except stripe.StripeError as error:
        raise GatewayError(str(error), transient=False) from error


def payment_intent_create(*, payment_id: int, deal_id: int, amount_krw: int,
                          destination: str = "", application_fee_krw: int = 0) -> dict[str, Any]:
    """A PaymentIntent for our Payment row `payment_id`; the same row always gets the
    same intent back (idempotency key), however often this is retried, so a row
    must always be asked for with the same arguments. Without `destination` it is
    charged to the platform (the creator's share is transferred later, see
    payments.services.connect); with it, a destination charge: Stripe transfers
    the charge to that connected account and takes `application_fee_krw` back
    from it for the platform (no on_behalf_of; see payments.connect_countries)."""
    params: dict[str, Any] = {
        "amount": amount_krw, "currency": CURRENCY,
        "metadata": {"payment_id": str(payment_id), "deal_id": str(deal_id)},
    }
    if destination:
        params["transfer_data"] = {"destination": destination}
        if application_fee_krw:
            params["application_fee_amount"] = application_fee_krw
    return _call(_client().v1.payment_intents.create, params,
                 idempotency_key=f"cipx-payment-{payment_id}-intent")


def payment_intent_retrieve(intent_id: str) -> dict[str, Any]:
    return _call(lambda params, options: _client().v1.payment_intents.retrieve(
        intent_id, params, options), {})


def refund_create(*, refund_id: int, payment_intent: str, amount_krw: int,
                  destination_charge: bool = False) -> dict[str, Any]:
    """Refund `amount_krw` of a PaymentIntent's charge for our Refund row `refund_id`.
    A destination charge's refund also takes back, in proportion, the transfer to
    the creator (reverse_transfer) and the application fee (refund_application_fee),
    so the platform does not pay the creator's part of it."""
    params: dict[str, Any] = {"payment_intent": payment_intent, "amount": amount_krw,
                              "metadata": {"refund_id": str(refund_id)}}
    if destination_charge:
        params["reverse_transfer"] = True
        params["refund_application_fee"] = True
    return _call(_client().v1.refunds.create, params,
                 idempotency_key=f"cipx-refund-{refund_id}")


def refund_retrieve(provider_refund_id: str) -> dict[str, Any]:
    return _call(lambda params, options: _client().v1.refunds.retrieve(
        provider_refund_id, params, options), {})


def charge_retrieve(charge_id: str) -> dict[str, Any]:
    return _call(lambda params, options: _client().v1.charges.retrieve(
        charge_id, params, options), {})


def connected_account_create(*, account_id: int, user_id: int, email: str, country: str,
                             service_agreement: str) -> dict[str, Any]:
    """An Express account for our ConnectedAccount row `account_id`. A `recipient`
    service agreement (cross-border payouts) may only receive transfers; a `full`
    one also takes card payments, which Stripe requires for it to get transfers."""
    capabilities: dict[str, Any] = {"transfers": {"requested": True}}
    if service_agreement == "full":
        capabilities["card_payments"] = {"requested": True}
    params: dict[str, Any] = {
        "type": "express", "country": country, "email": email,
        "capabilities": capabilities,
        "metadata": {"account_id": str(account_id), "user_id": str(user_id)},
    }
    if service_agreement == "recipient":
        params["tos_acceptance"] = {"service_agreement": "recipient"}
    return _call(_client().v1.accounts.create, params,
                 idempotency_key=f"cipx-connect-{account_id}-account")


def account_link_create(*, stripe_account_id: str, refresh_url: str,
                        return_url: str) -> dict[str, Any]:
    """A single-use onboarding link (Stripe expires it within minutes, so every
    visit asks for a fresh one; no idempotency key)."""
    params = {"account": stripe_account_id, "refresh_url": refresh_url,
              "return_url": return_url, "type": "account_onboarding"}
    return _call(_client().v1.account_links.create, params)


def transfer_create(*, transfer_id: int, amount_krw: int, destination: str,
                    source_transaction: str, deal_id: int) -> dict[str, Any]:
    """Move the creator's share of a card charge to their account for our Transfer
    row `transfer_id`. `source_transaction` ties it to the charge, so it waits for
    the charge's funds instead of drawing on the platform's balance."""
    params = {"amount": amount_krw, "currency": CURRENCY, "destination": destination,
              "source_transaction": source_transaction,
              "metadata": {"transfer_id": str(transfer_id), "deal_id": str(deal_id)}}
    return _call(_client().v1.transfers.create, params,
                 idempotency_key=f"cipx-transfer-{transfer_id}")


def transfer_reversal_create(*, refund_id: int, transfer: str,
                             amount_krw: int) -> dict[str, Any]:
    """Take back `amount_krw` of a transfer, for our Refund row `refund_id`."""
    params = {"amount": amount_krw, "metadata": {"refund_id": str(refund_id)}}
    return _call(lambda p, o: _client().v1.transfers.reversals.create(transfer, p, o), params,
                 idempotency_key=f"cipx-refund-{refund_id}-reversal")


def event_construct(*, payload: bytes, signature: str) -> dict[str, Any]:
    """The event in `payload` if its signature header is valid and fresh."""
    try:
        event = stripe.Webhook.construct_event(
            payload, signature, settings.STRIPE_WEBHOOK_SECRET,
            tolerance=SIGNATURE_TOLERANCE_SECONDS,
        )
    except (ValueError, stripe.SignatureVerificationError) as error:
        raise SignatureInvalid(str(error)) from error
    return event.to_dict()
