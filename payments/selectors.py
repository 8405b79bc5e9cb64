"""Reads of payments and of the money ledger, through who is asking: a deal's
payments are visible to its two parties and staff; anyone else gets a 404."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, Count, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, TruncMonth
from django.http import Http404

from exchange.regions import REGIONS
from licensing.models import Deal
from licensing.selectors import deal_get

from .models import (
    OPEN_INVOICE_STATUSES,
    REFUNDABLE_STATUSES,
    ConnectedAccount,
    EntryKind,
    LedgerEntry,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Refund,
    RefundStatus,
    WebhookEvent,
    WebhookStatus,
)

MONEY_IN = (EntryKind.CHARGE, EntryKind.BANK_RECEIPT)
STAFF_REFUNDABLE_ROWS = 100
STAFF_FAILED_EVENT_ROWS = 100


def invoice_get(*, user, deal_id) -> Payment:
    """The bank-transfer invoice of a deal the user may see: the open one, else the
    latest; 404 when there is none or the deal is not theirs to see."""
    deal = deal_get(user=user, pk=deal_id)
    invoices = Payment.objects.filter(deal=deal, method=PaymentMethod.BANK_TRANSFER)
    invoice = (invoices.filter(status__in=OPEN_INVOICE_STATUSES).first()
               or invoices.order_by("-created_at", "-id").first())
    if invoice is None:
        raise Http404
    return invoice


def ledger_entries(*, deal: Deal) -> QuerySet[LedgerEntry]:
    return deal.ledger_entries.select_related("payment").order_by("created_at", "id")


@dataclass(frozen=True)
class DealBalance:
    """A deal's money in whole KRW. `held` is money received on payments that did not
    (or not yet) succeed: a partial transfer, or a refused one due back."""

    received_krw: int
    refunded_krw: int
    platform_fee_krw: int
    creator_share_krw: int
    paid_out_krw: int
    held_krw: int

    @property
    def balanced(self) -> bool:
        """Everything received and not refunded is either split or held."""
        return (self.received_krw - self.refunded_krw
                == self.platform_fee_krw + self.creator_share_krw + self.held_krw)


def _sum(entries: QuerySet[LedgerEntry], *kinds: str) -> int:
    return entries.filter(kind__in=kinds).aggregate(total=Sum("amount_krw"))["total"] or 0


def deal_balance(*, deal_id: int) -> DealBalance:
    entries = LedgerEntry.objects.filter(deal_id=deal_id)
    unsettled = entries.exclude(payment__status=PaymentStatus.SUCCEEDED)
    return DealBalance(
        received_krw=_sum(entries, *MONEY_IN),
        refunded_krw=-_sum(entries, EntryKind.REFUND),
        platform_fee_krw=_sum(entries, EntryKind.PLATFORM_FEE),
        creator_share_krw=_sum(entries, EntryKind.CREATOR_SHARE),
        paid_out_krw=_sum(entries, EntryKind.TRANSFER),
        held_krw=_sum(unsettled, *MONEY_IN, EntryKind.REFUND),
    )


@dataclass(frozen=True)
class DealEarning:
    deal_id: int
    listing_title: str
    creator_share_krw: int
    paid_out_krw: int


def creator_earnings(*, user) -> list[DealEarning]:
    """What the user earned as a creator, deal by deal (only deals with entries)."""
    rows = (LedgerEntry.objects.filter(deal__creator=user)
            .values("deal_id", "deal__listing__title")
            .annotate(share=Sum("amount_krw", filter=Q(kind=EntryKind.CREATOR_SHARE)),
                      paid_out=Sum("amount_krw", filter=Q(kind=EntryKind.TRANSFER)))
            .order_by("deal_id"))
    return [DealEarning(deal_id=row["deal_id"], listing_title=row["deal__listing__title"],
                        creator_share_krw=row["share"] or 0, paid_out_krw=row["paid_out"] or 0)
            for row in rows if row["share"] or row["paid_out"]]


@dataclass(frozen=True)
class RevenueRow:
    month: dt.date
    region: str
    region_name: str
    platform_fee_krw: int
    deals: int


def platform_revenue() -> list[RevenueRow]:
    """The platform's fees net of refunds, by month (in TIME_ZONE) and by the region
    the licensed IP comes from; newest month first."""
    rows = (LedgerEntry.objects.filter(kind=EntryKind.PLATFORM_FEE)
            .annotate(month=TruncMonth("created_at"))
            .values("month", "deal__listing__region")
            .annotate(total=Sum("amount_krw"), deals=Count("deal", distinct=True))
            .order_by("-month", "deal__listing__region"))
    result = []
    for row in rows:
        code = row["deal__listing__region"]
        region = REGIONS.get(code)
        month = row["month"].date() if isinstance(row["month"], dt.datetime) else row["month"]
        result.append(RevenueRow(month=month, region=code,
                                 region_name=region.name_en if region else code,
                                 platform_fee_krw=row["total"], deals=row["deals"]))
    return result


def invoice_exists(*, deal: Deal) -> bool:
    return Payment.objects.filter(deal=deal, method=PaymentMethod.BANK_TRANSFER,
                                  status__in=OPEN_INVOICE_STATUSES).exists()


def refunds_of(*, payment_id: int) -> QuerySet[Refund]:
    """A payment's refunds, newest first (staff only: the view checks)."""
    if not Payment.objects.filter(pk=payment_id).exists():
        raise Http404
    return Refund.objects.filter(payment_id=payment_id)


def connected_account_get(*, user) -> ConnectedAccount:
    """The user's own Stripe Connect account; 404 before they started onboarding."""
    account = ConnectedAccount.objects.filter(user=user).first()
    if account is None:
        raise Http404
    return account


def payment_get(*, user, payment_id) -> Payment:
    """A payment of a deal the user may see (its parties and staff); else 404."""
    try:
        payment = Payment.objects.select_related("deal", "deal__listing").get(pk=payment_id)
    except (Payment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    deal_get(user=user, pk=payment.deal_id)
    return payment


def card_payment_latest(*, user, deal_id) -> Payment | None:
    """The latest card payment of a deal the user may see (404 for a stranger)."""
    deal = deal_get(user=user, pk=deal_id)
    return (Payment.objects.filter(deal=deal, method=PaymentMethod.STRIPE)
            .order_by("-created_at", "-id").first())


def open_invoices(*, user) -> QuerySet[Payment]:
    """Bank-transfer invoices still waiting for money, oldest first: staff only."""
    if not (user and user.is_staff):
        raise Http404
    return (Payment.objects.filter(method=PaymentMethod.BANK_TRANSFER,
                                   status__in=OPEN_INVOICE_STATUSES)
            .select_related("deal__listing", "deal__producer", "payer")
            .order_by("created_at", "id"))


def _with_refundable(payments: QuerySet[Payment]) -> QuerySet[Payment]:
    """Each payment with `refundable` (KRW): money in (the amount when paid, what was
    received when refused) less refunds done or under way; 0 for other statuses."""
    refunded = Coalesce(Sum("refunds__amount_krw", filter=Q(
        refunds__status__in=(RefundStatus.PENDING, RefundStatus.SUCCEEDED))), Value(0))
    return payments.annotate(refunded=refunded).annotate(refundable=Case(
        When(status=PaymentStatus.SUCCEEDED, then=F("amount_krw") - F("refunded")),
        When(status=PaymentStatus.REFUSED, then=F("received_krw") - F("refunded")),
        default=Value(0)))


def refundable_payments(*, user) -> QuerySet[Payment]:
    """Staff: payments with money that may still be given back, those refused (money
    due back to the payer) first, then the newest."""
    if not (user and user.is_staff):
        raise Http404
    rows = _with_refundable(Payment.objects.filter(status__in=REFUNDABLE_STATUSES))
    return (rows.filter(refundable__gt=0)
            .select_related("deal__listing", "deal__producer")
            .annotate(due_back=Case(When(status=PaymentStatus.REFUSED, then=Value(0)),
                                    default=Value(1)))
            .order_by("due_back", "-created_at", "-id")[:STAFF_REFUNDABLE_ROWS])


@dataclass(frozen=True)
class DealMoney:
    """What the deal page shows of a deal's money: its payments (each with
    `refundable`), refunds, ledger entries and balance."""

    payments: list[Payment]
    refunds: list[Refund]
    entries: list[LedgerEntry]
    balance: DealBalance


def deal_money(*, user, deal_id) -> DealMoney:
    """A deal's money for its parties and staff; 404 for anyone else."""
    deal = deal_get(user=user, pk=deal_id)
    return DealMoney(
        payments=list(_with_refundable(Payment.objects.filter(deal=deal))
                      .order_by("created_at", "id")),
        refunds=list(Refund.objects.filter(deal=deal).select_related("payment")
                     .order_by("created_at", "id")),
        entries=list(ledger_entries(deal=deal)),
        balance=deal_balance(deal_id=deal.pk),
    )


@dataclass(frozen=True)
class FailedWebhookEvents:
    """Stripe events that failed to apply: how many in all, and the newest rows."""

    total: int
    events: list[WebhookEvent]


def failed_webhook_events(*, user) -> FailedWebhookEvents:
    """Staff: the Stripe events that failed to apply, newest first (without their
    payloads, which the page does not show)."""
    if not (user and user.is_staff):
        raise Http404
    failed = WebhookEvent.objects.filter(status=WebhookStatus.FAILED).defer("payload")
    return FailedWebhookEvents(
        total=failed.count(),
        events=list(failed.order_by("-received_at", "-id")[:STAFF_FAILED_EVENT_ROWS]))
