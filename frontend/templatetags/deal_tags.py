"""Deal and payment labels in the reader's language."""

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

