"""Deal and payment labels in the reader's language, and the creator dashboard's deal
panels (incoming requests, agreements to sign, sales)."""

from django import template

from licensing.models import DealStatus, Party
from payments.models import PaymentStatus

from ..views.deals import deals_by_stage
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


@register.inclusion_tag("frontend/deals/creator_panels.html", takes_context=True)
def creator_deal_panels(context):
    user = context["request"].user
    return {"stages": deals_by_stage(user, Party.CREATOR), "request": context["request"],
            "user": user}
