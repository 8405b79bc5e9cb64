"""Paying a licence and being paid: the producer's invoice with the bank transfer
instructions, the creator's earnings and payouts, and staff recording bank
receipts. Changes go through payments.services; reads through payments.selectors."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from exchange.errors import Conflict, InvalidInput
from licensing import selectors
from licensing.models import Party
from payments import selectors as payment_selectors
from payments import services
from payments.models import Payment, PaymentMethod, PaymentStatus
from payments.services import PaymentRefused

from ..forms.deals import BankReceiptForm, put_service_error
from ..templatetags.exchange_tags import krw
from .common import creator_required, error_message, staff_required
from .deals import deals_by_stage, invoice_of

OPEN_INVOICE_STATUSES = (PaymentStatus.PENDING, PaymentStatus.PARTIALLY_RECEIVED)


def bank_account() -> dict[str, str]:
    return {"bank": settings.BANK_TRANSFER_BANK_NAME,
            "account_number": settings.BANK_TRANSFER_ACCOUNT_NUMBER,
            "account_holder": settings.BANK_TRANSFER_ACCOUNT_HOLDER}


@login_required
@require_http_methods(["GET", "POST"])
def invoice(request, pk):
    """GET: the deal's invoice with what to transfer where (its parties and staff).
    POST: the producer asks for it once both signed (asking again returns the same)."""
    deal = selectors.deal_get(user=request.user, pk=pk)
    if request.method == "POST":
        try:
            services.invoice_issue(actor=request.user, deal=deal)
        except (InvalidInput, Conflict) as error:
            error_message(request, error)
            return redirect("frontend:deal-detail", pk=deal.pk)
        return redirect("frontend:deal-invoice", pk=deal.pk)
    return render(request, "frontend/payments/invoice.html", {
        "deal": deal,
        "party": deal.party_of(request.user),
        "invoice": invoice_of(request.user, deal),
        "pay_to": bank_account(),
        "licence_status": selectors.licence_status(deal),
    })


@creator_required
def creator_earnings(request):
    rows = payment_selectors.creator_earnings(user=request.user)
    earned = sum(row.creator_share_krw for row in rows)
    paid_out = sum(row.paid_out_krw for row in rows)
    return render(request, "frontend/payments/earnings.html", {
        "rows": rows,
        "earned_krw": earned,
        "paid_out_krw": paid_out,
        "owed_krw": earned - paid_out,
        "fee_percent": settings.PLATFORM_FEE_PERCENT,
        "sales": deals_by_stage(request.user, Party.CREATOR)["licences"],
    })


def _open_invoices():
    """Bank-transfer invoices still waiting for money, oldest first (staff only)."""
    return (Payment.objects.filter(method=PaymentMethod.BANK_TRANSFER,
                                   status__in=OPEN_INVOICE_STATUSES)
            .select_related("deal__listing", "deal__producer", "payer")
            .order_by("created_at", "id"))


def _receipt_done_message(payment: Payment) -> str:
    if payment.status == PaymentStatus.SUCCEEDED:
        return _("Invoice %(reference)s is paid in full: deal #%(deal)s is licensed and its "
                 "certificate issued.") % {"reference": payment.reference,
                                           "deal": payment.deal_id}
    return _("Recorded against %(reference)s; %(outstanding)s is still outstanding.") % {
        "reference": payment.reference, "outstanding": krw(payment.outstanding_krw)}


@staff_required
@require_http_methods(["GET", "POST"])
def staff_payments(request):
    """Record a transfer from the bank statement against its invoice; the open invoices."""
    initial = {"reference": request.GET.get("reference", "")}
    form = BankReceiptForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            payment = services.bank_receipt_record(actor=request.user, **form.cleaned_data)
        except PaymentRefused as refused:
            # The money is on record as due back: staff must return it.
            messages.warning(request, translated_refusal(refused))
            return redirect("frontend:staff-payments")
        except (InvalidInput, Conflict) as error:
            put_service_error(form, error)
        else:
            messages.success(request, _receipt_done_message(payment))
            return redirect("frontend:staff-payments")
    return render(request, "frontend/payments/staff_payments.html", {
        "form": form,
        "invoices": _open_invoices(),
    }, status=400 if form.errors else 200)


def translated_refusal(refused: PaymentRefused) -> str:
    payment = refused.payment
    return _("Deal #%(deal)s can no longer be licensed, so the %(amount)s received on "
             "%(reference)s was not applied. It is recorded as due back to the payer: return "
             "it. (%(detail)s)") % {"deal": payment.deal_id,
                                    "amount": krw(payment.received_krw),
                                    "reference": payment.reference,
                                    "detail": payment.reason}
