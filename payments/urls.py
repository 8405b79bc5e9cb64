from django.urls import path

from . import api

urlpatterns = [
    path("deals/<int:deal_id>/invoice/", api.DealInvoiceView.as_view(), name="deal-invoice"),
    path("deals/<int:deal_id>/ledger/", api.DealLedgerView.as_view(), name="deal-ledger"),
    path("deals/<int:deal_id>/card-payment/", api.DealCardPaymentView.as_view(),
         name="deal-card-payment"),
    path("deals/<int:deal_id>/royalty-activation/", api.RoyaltyActivationView.as_view(),
         name="deal-royalty-activation"),
    path("payments/<int:payment_id>/cancel/", api.InvoiceCancelView.as_view(),
         name="invoice-cancel"),
    path("payments/<int:payment_id>/refunds/", api.PaymentRefundsView.as_view(),
         name="payment-refunds"),
    path("connect/", api.ConnectOnboardingView.as_view(), name="connect-onboarding"),
    path("receipts/", api.BankReceiptView.as_view(), name="bank-receipt"),
    path("earnings/", api.EarningsView.as_view(), name="earnings"),
    path("revenue/", api.RevenueView.as_view(), name="revenue"),
]
