"""What the deal and invoice pages show about paying besides payments.selectors:
the deal's invoice or nothing, where to transfer to, and whether card payments
are on."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404

from payments import selectors as payment_selectors
from payments.models import Payment
from payments.services import stripe_enabled


def invoice_of(user, deal) -> Payment | None:
    try:
        return payment_selectors.invoice_get(user=user, deal_id=deal.pk)
    except Http404:
        return None


def card_payments_on() -> bool:
    """Stripe is on and the browser can load its card form (the publishable key)."""
    return stripe_enabled() and bool(settings.STRIPE_PUBLISHABLE_KEY)


def bank_account() -> dict[str, str]:
    return {"bank": settings.BANK_TRANSFER_BANK_NAME,
            "account_number": settings.BANK_TRANSFER_ACCOUNT_NUMBER,
            "account_holder": settings.BANK_TRANSFER_ACCOUNT_HOLDER}
