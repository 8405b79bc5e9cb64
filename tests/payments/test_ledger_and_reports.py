"""The money ledger: how a payment is split, and who sees which sums."""

from __future__ import annotations

import pytest
from django.utils import timezone

from payments.models import EntryKind, LedgerEntry
from payments.services import bank_receipt_record
from payments.services.ledger import fee_split


@pytest.mark.parametrize(("amount", "percent", "fee", "share"), [
    (5_000_000, 10, 500_000, 4_500_000),
    (999_999, 10, 99_999, 900_000),      # 99,999.9 rounds down: the odd won is the creator's
    (1, 10, 0, 1),
    (3_333_333, 15, 499_999, 2_833_334),
    (5_000_000, 0, 0, 5_000_000),
    (5_000_000, 100, 5_000_000, 0),
])
def test_the_platform_fee_is_rounded_down_and_the_two_parts_add_up(amount, percent, fee, share):
    assert fee_split(amount, percent) == (fee, share)
    assert fee + share == amount


def test_with_no_platform_fee_only_the_creator_share_is_written(invoice, signed_deal, staff,
                                                               settings):
    settings.PLATFORM_FEE_PERCENT = 0

    bank_receipt_record(actor=staff, reference=invoice.reference, amount_krw=5_000_000)

    assert list(LedgerEntry.objects.filter(deal=signed_deal).order_by("id")
                .values_list("kind", "amount_krw")) == [
        (EntryKind.BANK_RECEIPT, 5_000_000), (EntryKind.CREATOR_SHARE, 5_000_000)]


@pytest.fixture
def paid(invoice, staff, settings):
    settings.PLATFORM_FEE_PERCENT = 10
    return bank_receipt_record(actor=staff, reference=invoice.reference, amount_krw=5_000_000)


def test_the_parties_see_the_deal_ledger_and_a_stranger_does_not(paid, signed_deal, owner,
                                                                 producer, other_creator,
                                                                 client_for):
    url = f"/api/v1/payments/deals/{signed_deal.pk}/ledger/"

    for party in (owner, producer):
        body = client_for(party).get(url).json()
        assert body["balance"] == {"received_krw": 5_000_000, "refunded_krw": 0,
                                   "platform_fee_krw": 500_000, "creator_share_krw": 4_500_000,
                                   "paid_out_krw": 0, "held_krw": 0, "balanced": True}
        assert [(e["kind"], e["amount_krw"]) for e in body["entries"]] == [
            ("bank_receipt", 5_000_000), ("platform_fee", 500_000),
            ("creator_share", 4_500_000)]
    assert client_for(other_creator).get(url).status_code == 404


def test_the_creator_sees_what_they_earned_and_what_is_still_owed(paid, signed_deal, owner,
                                                                  client_for):
    response = client_for(owner).get("/api/v1/payments/earnings/")

    assert response.json() == {
        "currency": "KRW", "earned_krw": 4_500_000, "paid_out_krw": 0, "owed_krw": 4_500_000,
        "deals": [{"deal_id": signed_deal.pk, "listing_title": "달빛 야시장 Lantern Market",
                   "creator_share_krw": 4_500_000, "paid_out_krw": 0}]}


def test_another_creator_earned_nothing_from_this_deal(paid, other_creator, client_for):
    response = client_for(other_creator).get("/api/v1/payments/earnings/")

    assert response.json() == {"currency": "KRW", "earned_krw": 0, "paid_out_krw": 0,
                               "owed_krw": 0, "deals": []}


def test_staff_see_platform_revenue_by_month_and_region(paid, staff, client_for):
    response = client_for(staff).get("/api/v1/payments/revenue/")

    month = timezone.localdate().strftime("%Y-%m")
    assert response.json() == {
        "currency": "KRW", "fee_percent": 10, "total_krw": 500_000,
        "rows": [{"month": month, "region": "KR-29", "region_name": "Gwangju",
                  "platform_fee_krw": 500_000, "deals": 1}]}


@pytest.mark.parametrize("who", ["owner", "producer"])
def test_only_staff_see_platform_revenue(who, paid, client_for, request):
    response = client_for(request.getfixturevalue(who)).get("/api/v1/payments/revenue/")

    assert response.status_code == 403
