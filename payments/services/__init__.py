"""Every change of state in the payments app, one function per use case."""

from .bank import PaymentRefused, bank_receipt_record, invoice_cancel, invoice_issue
from .card import ProviderRefused, ProviderUnavailable, card_payment_start, stripe_enabled
from .connect import (
    connect_account_refresh,
    connect_onboarding_link,
    creator_share_transfer,
    transfer_reverse_for_refund,
)
from .refunds import refund_auto, refund_create, refundable_krw
from .royalty import royalty_licence_activate
from .webhooks import webhook_retry

__all__ = [
    "PaymentRefused",
    "ProviderRefused",
    "ProviderUnavailable",
    "bank_receipt_record",
    "card_payment_start",
    "connect_account_refresh",
    "connect_onboarding_link",
    "creator_share_transfer",
    "invoice_cancel",
    "invoice_issue",
    "refund_auto",
    "refund_create",
    "refundable_krw",
    "royalty_licence_activate",
    "stripe_enabled",
    "transfer_reverse_for_refund",
    "webhook_retry",
]
