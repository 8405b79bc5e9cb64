from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api, api_licences

router = SimpleRouter()
router.register("deals", api.DealViewSet, basename="deal")
router.register("agreements", api_licences.AgreementViewSet, basename="agreement")

urlpatterns = [
    path("listings/<int:listing_id>/availability/", api.AvailabilityView.as_view(),
         name="listing-availability"),
    path("verify/<str:code>/", api_licences.VerifyView.as_view(), name="verify-api"),
    path("deliverables/<str:token>/", api_licences.DeliverableDownloadView.as_view(),
         name="deliverable-download"),
    *router.urls,
]
