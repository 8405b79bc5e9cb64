"""Paying by card through Stripe (PaymentIntents in KRW).

Our Payment row comes first, in its own transaction; then, outside any
transaction, the PaymentIntent with an idempotency key from that row; then the
row moves to processing with the intent's id. A crash between the two leaves a
pending row without an intent: asking again creates the intent with the same
key, so Stripe returns the same one. Money is recorded only when Stripe says it
arrived (payment_intent.succeeded, payments.services.webhooks), never from what
the browser reports.

How it is charged is decided when the row is created and kept on it
(Payment.charge_type), so a retry sends the same request under the same key:
- a destination charge when the deal's creator can receive money now (their
  connected account is ready: payouts enabled, transfers capability active) and
  Stripe allows destination charges to it: transfer_data[destination] is their
  account and application_fee_amount the platform fee (ledger.fee_split, whole
  won: KRW is zero-decimal). No on_behalf_of: Stripe supports destination charges
  without it for cross-border `recipient` accounts (Korea's), except in the few
  countries limited to separate charges and transfers (India); a `full` account
  would need to be in the platform's region. The rule and its sources are in
  payments.connect_countries. Stripe moves the whole charge to the creator and
  takes the fee back as the platform's application fee; a refund reverses both
  in proportion (payments.services.refunds);
- otherwise a charge to the platform, whose creator's share is transferred when
  their account can receive it (separate charges and transfers,
  payments.services.connect).
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import status

from exchange.accounts.models import User
from exchange.errors import ApplicationError, Conflict
from licensing.models import Deal

from ..connect_countries import destination_charge_allowed
from ..gateways import stripe as gateway
from ..models import ChargeType, ConnectedAccount, Payment, PaymentMethod, PaymentStatus
from .ledger import fee_split
from .payable import payment_open, require_payable
from .state import payment_move


class ProviderUnavailable(ApplicationError):
    """Stripe could not be reached; nothing was charged and asking again is safe."""

    code = "provider_unavailable"
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE


class ProviderRefused(ApplicationError):
    """Stripe refused the request; the message says why."""

    code = "provider_refused"
    status_code = status.HTTP_502_BAD_GATEWAY


def stripe_enabled() -> bool:
    """Card payments, Connect onboarding and Stripe refunds are on: both keys are set."""
    return bool(settings.STRIPE_ENABLED and settings.STRIPE_SECRET_KEY
                and settings.STRIPE_WEBHOOK_SECRET)


def require_stripe() -> None:
    if not stripe_enabled():
        raise Conflict(_("Card payments are not available here; pay by bank transfer."),
                       code="stripe_disabled")


def provider_error(error: gateway.GatewayError) -> ApplicationError:
    if error.transient:
        return ProviderUnavailable(_("The card processor could not be reached; try again."))
    return ProviderRefused(_("The card processor refused: %(reason)s") % {"reason": error})


def card_payment_start(*, actor: User, deal: Deal) -> tuple[Payment, str]:
    """The producer (or staff for them) pays an accepted, fully signed deal by card:
    (payment, client_secret) for Stripe.js to confirm. Refused before any money
    moves when Stripe is off, the deal is not payable, its rights were taken
    meanwhile, or a bank invoice of it is open. Asking again returns the same
    payment and intent while it is open."""
    require_stripe()
    require_payable(actor=actor, deal=deal)
    charge_type = (ChargeType.DESTINATION if _destination_of(deal) is not None
                   else ChargeType.PLATFORM)
    payment = payment_open(actor=actor, deal=deal, method=PaymentMethod.STRIPE,
                           audit_action="payment.start",
                           audit_data=lambda payment: {"method": payment.method,
                                                       "charge_type": payment.charge_type},
                           failure=_("Could not start the payment; try again."),
                           fields={"charge_type": charge_type})
    try:
        if payment.provider_id:
            intent = gateway.payment_intent_retrieve(payment.provider_id)
        else:
            intent = gateway.payment_intent_create(payment_id=payment.pk, deal_id=deal.pk,
                                                   amount_krw=payment.amount_krw,
                                                   **_destination_params(payment))
    except gateway.GatewayError as error:
        if not error.transient and not payment.provider_id:
            _payment_fail(payment_id=payment.pk, actor=actor, reason=str(error))
        raise provider_error(error) from error
    if not payment.provider_id:
        payment = _payment_submitted(payment_id=payment.pk, actor=actor, intent=intent)
    return payment, intent["client_secret"]


def _destination_of(deal: Deal) -> ConnectedAccount | None:
    """The creator's connected account when a payment of the deal may be a destination
    charge to it now (see the module's docstring)."""
    account = ConnectedAccount.objects.filter(user_id=deal.creator_id).first()
    if account is None or not account.ready or not destination_charge_allowed(
            country=account.country, service_agreement=account.service_agreement):
        return None
    return account


def _destination_params(payment: Payment) -> dict:
    """The destination and application fee of a destination charge, from the payment
    row (the account's Stripe id never changes once set, and the amount is the
    row's), so every retry asks for the same intent."""
    if payment.charge_type != ChargeType.DESTINATION:
        return {}
    account = ConnectedAccount.objects.get(user_id=payment.deal.creator_id)
    fee, _share = fee_split(payment.amount_krw)
    return {"destination": account.stripe_account_id, "application_fee_krw": fee}


def _payment_submitted(*, payment_id: int, actor: User, intent: dict) -> Payment:
    """pending -> processing with the intent's id. A webhook may have got there first
    (the row is then already further along): it is returned as it stands."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if payment.status == PaymentStatus.PENDING and not payment.provider_id:
            payment_move(payment=payment, action="submit", actor=actor, now=timezone.now(),
                         data={"payment_intent": intent["id"]}, provider_id=intent["id"])
        return payment


def _payment_fail(*, payment_id: int, actor: User | None, reason: str) -> None:
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if payment.status in (PaymentStatus.PENDING, PaymentStatus.PROCESSING):
            payment_move(payment=payment, action="fail", actor=actor, now=timezone.now(),
                         reason=f"Stripe refused the payment: {reason}")
