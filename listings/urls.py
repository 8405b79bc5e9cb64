from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api, catalog_api, report_api

router = SimpleRouter()
router.register("listings", api.ListingViewSet, basename="listing")
router.register("moderation/listings", api.ModerationViewSet, basename="moderation")
router.register("reports", report_api.ReportViewSet, basename="report")
router.register("moderation/reports", report_api.ModerationReportViewSet,
                basename="moderation-report")

urlpatterns = [
    path("media/<int:pk>/download/", api.MediaDownloadView.as_view(), name="media-download"),
    path("catalog/import/", catalog_api.CatalogImportView.as_view(), name="catalog-import"),
    *router.urls,
]
