"""PostgreSQL: receipts recorded at the same moment against the same invoice.

Staff at two desks both record a transfer that completes the invoice of
`signed_deal` (5,000,000 KRW, 2,500,000 already received). The invoice row's
lock serialises them: one completes the payment and licenses the deal, the
other is refused as closed; one licence, one split, and the ledger balances.
"""

from __future__ import annotations

import pytest

from licensing.models import Certificate, ClaimKind, DealStatus, RightsClaim
from payments.models import EntryKind, LedgerEntry, PaymentStatus
from payments.selectors import deal_balance
from payments.services import bank_receipt_record

from .conftest import at_once

pytestmark = [pytest.mark.postgres,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DESKS = 2


def test_two_concurrent_receipts_completing_one_invoice_license_the_deal_once(
        invoice, signed_deal, staff, settings):
    settings.PLATFORM_FEE_PERCENT = 10
    bank_receipt_record(actor=staff, reference=invoice.reference, amount_krw=2_500_000,
                        bank_transaction_id="KJB-FIRST-HALF")

    def record(desk: int) -> str:
        bank_receipt_record(actor=staff, reference=invoice.reference, amount_krw=2_500_000,
                            bank_transaction_id=f"KJB-SECOND-HALF-{desk}")
        return "recorded"

    assert at_once(DESKS, record) == ["payment_closed", "recorded"]
    invoice.refresh_from_db()
    assert (invoice.status, invoice.received_krw) == (PaymentStatus.SUCCEEDED, 5_000_000)
    signed_deal.refresh_from_db()
    assert signed_deal.status == DealStatus.LICENSED
    assert Certificate.objects.filter(deal=signed_deal).count() == 1
    assert RightsClaim.objects.filter(deal=signed_deal, kind=ClaimKind.GRANT,
                                      active=True).count() == 1
    assert sorted(LedgerEntry.objects.filter(deal=signed_deal)
                  .values_list("kind", "amount_krw")) == sorted([
                      (EntryKind.BANK_RECEIPT, 2_500_000), (EntryKind.BANK_RECEIPT, 2_500_000),
                      (EntryKind.PLATFORM_FEE, 500_000), (EntryKind.CREATOR_SHARE, 4_500_000)])
    assert deal_balance(deal_id=signed_deal.pk).balanced
