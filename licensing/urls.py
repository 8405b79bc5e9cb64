from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("deals", api.DealViewSet, basename="deal")

urlpatterns = [
    path("listings/<int:listing_id>/availability/", api.AvailabilityView.as_view(),
         name="listing-availability"),
    *router.urls,
]
