"""Payments over HTTP: thin views that validate input, call a service or a
selector and render the result."""

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from licensing.selectors import deal_get

from . import selectors, services
from .models import CURRENCY
from .serializers import (
    DealLedgerSerializer,
    EarningsSerializer,
    InvoiceSerializer,
    ReceiptInput,
    RevenueSerializer,
)


class DealInvoiceView(APIView):
    """The bank-transfer invoice of a deal: its parties and staff read it; the
    producer (or staff) asks for it once both parties signed."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=InvoiceSerializer)
    def get(self, request, deal_id):
        invoice = selectors.invoice_get(user=request.user, deal_id=deal_id)
        return Response(InvoiceSerializer(invoice).data)

    @extend_schema(request=None, responses={201: InvoiceSerializer, 200: InvoiceSerializer})
    def post(self, request, deal_id):
        deal = deal_get(user=request.user, pk=deal_id)
        existed = selectors.invoice_exists(deal=deal)
        invoice = services.invoice_issue(actor=request.user, deal=deal)
        return Response(InvoiceSerializer(invoice).data,
                        status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)


class BankReceiptView(APIView):
    """Staff: a transfer on the bank statement, against the invoice its reference names."""

    permission_classes = [permissions.IsAdminUser]

    @extend_schema(request=ReceiptInput, responses={201: InvoiceSerializer})
    def post(self, request):
        serializer = ReceiptInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        payment = services.bank_receipt_record(actor=request.user, **serializer.validated_data)
        return Response(InvoiceSerializer(payment).data, status=status.HTTP_201_CREATED)


class DealLedgerView(APIView):
    """A deal's ledger entries and balance, for its parties and staff."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=DealLedgerSerializer)
    def get(self, request, deal_id):
        deal = deal_get(user=request.user, pk=deal_id)
        return Response(DealLedgerSerializer({
            "deal": deal.pk, "currency": CURRENCY,
            "balance": selectors.deal_balance(deal_id=deal.pk),
            "entries": selectors.ledger_entries(deal=deal),
        }).data)


class EarningsView(APIView):
    """The signed-in creator's earnings and payouts, deal by deal."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=EarningsSerializer)
    def get(self, request):
        deals = selectors.creator_earnings(user=request.user)
        earned = sum(row.creator_share_krw for row in deals)
        paid_out = sum(row.paid_out_krw for row in deals)
        return Response(EarningsSerializer({
            "currency": CURRENCY, "earned_krw": earned, "paid_out_krw": paid_out,
            "owed_krw": earned - paid_out, "deals": deals,
        }).data)


class RevenueView(APIView):
    """Staff: platform revenue (fees net of refunds) by month and region."""

    permission_classes = [permissions.IsAdminUser]

    @extend_schema(responses=RevenueSerializer)
    def get(self, request):
        rows = selectors.platform_revenue()
        return Response(RevenueSerializer({
            "currency": CURRENCY, "fee_percent": settings.PLATFORM_FEE_PERCENT,
            "total_krw": sum(row.platform_fee_krw for row in rows), "rows": rows,
        }).data)
