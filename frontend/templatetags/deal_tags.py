"""Deal and payment labels in the reader's language, and whether an invoice may be
canceled."""

from django import template

from licensing.models import DealStatus, Party
from payments.models import PaymentStatus

from .exchange_tags import choice_label

register = template.Library()


@register.filter
def party_label(value: str) -> str:
    return choice_label(Party, value)


@register.filter
def deal_status_label(value: str) -> str:
    return choice_label(DealStatus, value)


@register.filter
def payment_status_label(value: str) -> str:
    return choice_label(PaymentStatus, value)



@register.filter
def cancelable(invoice) -> bool:
    """Nothing was received on the invoice yet, so it may be canceled
    (payments.services.invoice_cancel refuses any other)."""
    return (invoice is not None and invoice.status == PaymentStatus.PENDING
            and invoice.received_krw == 0)
