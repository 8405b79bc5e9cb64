from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from payments.webhook_views import stripe_webhook

from .health import healthz

api_v1 = [
    path("", include("exchange.accounts.urls")),
    path("", include("listings.urls")),
    path("", include("licensing.urls")),
    path("payments/", include("payments.urls")),
    path("", include("search.urls")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("webhooks/stripe/", stripe_webhook, name="stripe-webhook"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("", include("licensing.page_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("frontend.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]
