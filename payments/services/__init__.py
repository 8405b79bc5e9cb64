"""Every change of state in the payments app, one function per use case."""

from .bank import PaymentRefused, bank_receipt_record, invoice_issue

__all__ = ["PaymentRefused", "bank_receipt_record", "invoice_issue"]
