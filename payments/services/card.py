"""Paying by card through Stripe (PaymentIntents in KRW).

Our Payment row comes first, in its own transaction; then, outside any
transaction, the PaymentIntent with an idempotency key from that row; then the
row moves to processing with the intent's id. A crash between the two leaves a
pending row without an intent: asking again creates the intent with the same
key, so Stripe returns the same one. Money is recorded only when Stripe says it
arrived (payment_intent.succeeded, payments.services.webhooks), never from what
the browser reports.
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

from ..gateways import stripe as gateway
from ..models import Payment, PaymentMethod, PaymentStatus
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
    payment = payment_open(actor=actor, deal=deal, method=PaymentMethod.STRIPE,
                           audit_action="payment.start",
                           audit_data=lambda payment: {"method": payment.method},
                           failure=_("Could not start the payment; try again."))
    try:
        if payment.provider_id:
            intent = gateway.payment_intent_retrieve(payment.provider_id)
        else:
            intent = gateway.payment_intent_create(payment_id=payment.pk, deal_id=deal.pk,
                                                   amount_krw=payment.amount_krw)
    except gateway.GatewayError as error:
        if not error.transient and not payment.provider_id:
            _payment_fail(payment_id=payment.pk, actor=actor, reason=str(error))
        raise provider_error(error) from error
    if not payment.provider_id:
        payment = _payment_submitted(payment_id=payment.pk, actor=actor, intent=intent)
    return payment, intent["client_secret"]


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
