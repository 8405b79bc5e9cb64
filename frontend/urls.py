from django.urls import path

from .views import (
    accounts,
    catalog,
    creator,
    deals,
    licences,
    moderation,
    payments_pages,
    search_pages,
)

app_name = "frontend"

reset = accounts.password_reset_views

urlpatterns = [
    path("", catalog.home, name="home"),
    path("browse/", catalog.browse, name="browse"),
    path("ip/<int:pk>/", catalog.listing_detail, name="listing-detail"),
    path("ip/<int:pk>/availability/", search_pages.availability, name="listing-availability"),
    # accounts
    path("accounts/sign-up/", accounts.sign_up, name="sign-up"),
    path("accounts/sign-in/", accounts.SignInView.as_view(), name="sign-in"),
    path("accounts/sign-out/", accounts.SignOutView.as_view(), name="sign-out"),
    path("accounts/profile/", accounts.profile, name="profile"),
    path("accounts/password-reset/", reset["request"], name="password-reset"),
    path("accounts/password-reset/sent/", reset["done"], name="password-reset-done"),
    path("accounts/reset/<uidb64>/<token>/", reset["confirm"], name="password-reset-confirm"),
    path("accounts/reset/done/", reset["complete"], name="password-reset-complete"),
    # creators
    path("creator/", creator.dashboard, name="creator-dashboard"),
    path("creator/listings/new/", creator.listing_create, name="listing-create"),
    path("creator/listings/<int:pk>/", creator.listing_edit, name="listing-edit"),
    path("creator/listings/<int:pk>/media/", creator.media_upload, name="media-upload"),
    path("creator/listings/<int:pk>/media/<int:media_id>/remove/", creator.media_remove,
         name="media-remove"),
    path("creator/listings/<int:pk>/history/", creator.listing_history, name="listing-history"),
    path("creator/listings/<int:pk>/<slug:action>/", creator.listing_action,
         name="listing-action"),
    # licences: requests and negotiation, agreements, invoices, licences, bank receipts
    path("ip/<int:pk>/request/", deals.deal_request, name="deal-request"),
    path("producer/", deals.producer_dashboard, name="producer-dashboard"),
    path("deals/<int:pk>/", deals.deal_detail, name="deal-detail"),
    path("deals/<int:pk>/accept/", deals.deal_action, {"action": "accept"}, name="deal-accept"),
    path("deals/<int:pk>/reject/", deals.deal_action, {"action": "reject"}, name="deal-reject"),
    path("deals/<int:pk>/withdraw/", deals.deal_action, {"action": "withdraw"},
         name="deal-withdraw"),
    path("deals/<int:pk>/counter/", deals.deal_counter, name="deal-counter"),
    path("deals/<int:pk>/messages/", deals.deal_message, name="deal-message"),
    path("deals/<int:pk>/agreement/", licences.agreement, name="deal-agreement"),
    path("deals/<int:pk>/agreement/sign/", licences.agreement_sign, name="deal-agreement-sign"),
    path("deals/<int:pk>/invoice/", payments_pages.invoice, name="deal-invoice"),
    path("deals/<int:pk>/pay-by-card/", payments_pages.card_payment, name="deal-card-payment"),
    path("deals/<int:pk>/licence/", licences.licence, name="deal-licence"),
    path("creator/earnings/", payments_pages.creator_earnings, name="creator-earnings"),
    path("creator/payouts/stripe/", payments_pages.stripe_onboarding, name="stripe-onboarding"),
    path("staff/payments/", payments_pages.staff_payments, name="staff-payments"),
    # moderators
    path("moderation/", moderation.queue, name="moderation-queue"),
    path("moderation/listings/<int:pk>/", moderation.review, name="moderation-review"),
    path("moderation/listings/<int:pk>/<slug:action>/", moderation.decide,
         name="moderation-decide"),
]
