"""Server-rendered pages: an agreement for its parties, a certificate for anyone."""

from django.urls import path

from . import api_licences, pages

urlpatterns = [
    path("agreements/<int:pk>/", pages.agreement_page, name="agreement-page"),
    path("verify/<str:code>/", pages.verify_page, name="verify-page"),
    path("verify/<str:code>/qr.svg", api_licences.qr_view, name="verify-qr"),
]
