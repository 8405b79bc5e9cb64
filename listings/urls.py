from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("listings", api.ListingViewSet, basename="listing")
router.register("moderation/listings", api.ModerationViewSet, basename="moderation")

urlpatterns = [
    path("media/<int:pk>/download/", api.MediaDownloadView.as_view(), name="media-download"),
    *router.urls,
]
