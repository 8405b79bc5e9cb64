"""The reconcile beat task checks card payments stuck in processing against
Stripe (localstripe here): a webhook that never came is made up for by applying
the intent's final status through the webhook handlers, exactly once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from licensing.models import DealStatus
from payments.models import EntryKind, Payment, PaymentStatus, WebhookEvent
from payments.tasks import reconcile_payments

from .conftest import entries

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def started(client, deal) -> Payment:
    response = client.post(f"/api/v1/payments/deals/{deal.pk}/card-payment/")
    assert response.status_code == 201
    return Payment.objects.get(pk=response.json()["payment"]["id"])


def stuck(payment: Payment, minutes: int = 31) -> None:
    """Its webhook never arrived: the payment has been processing this long."""
    Payment.objects.filter(pk=payment.pk).update(
        updated_at=timezone.now() - dt.timedelta(minutes=minutes))


def test_a_payment_stuck_in_processing_that_succeeded_at_stripe_is_applied_once(
        localstripe, signed_deal, producer, client_for, settings):
    settings.STRIPE_PROCESSING_STALE_MINUTES = 30
    payment = started(client_for(producer), signed_deal)
    localstripe.confirm(payment.provider_id)
    stuck(payment)

    reconcile_payments.delay().get()
    reconcile_payments.delay().get()

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    signed_deal.refresh_from_db()
    assert signed_deal.status == DealStatus.LICENSED
    assert entries(signed_deal) == [(EntryKind.CHARGE, 5_000_000),
                                    (EntryKind.PLATFORM_FEE, 500_000),
                                    (EntryKind.CREATOR_SHARE, 4_500_000)]
    assert list(WebhookEvent.objects.values_list("event_id", "status")) == [
        (f"reconcile:{payment.provider_id}:succeeded", "applied")]


def test_a_payment_processing_for_less_than_the_setting_is_left_to_its_webhook(
        localstripe, signed_deal, producer, client_for, settings):
    settings.STRIPE_PROCESSING_STALE_MINUTES = 30
    payment = started(client_for(producer), signed_deal)
    localstripe.confirm(payment.provider_id)
    stuck(payment, minutes=5)

    reconcile_payments.delay().get()

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PROCESSING
    assert WebhookEvent.objects.count() == 0


def test_a_payment_canceled_at_stripe_is_canceled_here(localstripe, signed_deal, producer,
                                                       client_for):
    payment = started(client_for(producer), signed_deal)
    localstripe.post(f"/v1/payment_intents/{payment.provider_id}/cancel")
    stuck(payment)

    reconcile_payments.delay().get()

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CANCELED
    assert entries(signed_deal) == []


def test_a_declined_card_fails_the_payment_and_the_producer_may_try_again(
        localstripe, signed_deal, producer, client_for):
    client = client_for(producer)
    payment = started(client, signed_deal)
    localstripe.post(f"/v1/payment_intents/{payment.provider_id}",
                     payment_method="pm_card_chargeCustomerFail")
    declined = localstripe.session.post(
        f"{localstripe.url}/v1/payment_intents/{payment.provider_id}/confirm", timeout=10)
    assert declined.status_code == 402
    stuck(payment)

    reconcile_payments.delay().get()

    payment.refresh_from_db()
    assert (payment.status, payment.reason) == (PaymentStatus.FAILED, "Your card was declined.")
    assert started(client, signed_deal).pk != payment.pk
