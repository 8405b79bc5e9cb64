from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api, brief_api

briefs = SimpleRouter()
briefs.register("briefs", brief_api.SavedBriefViewSet, basename="saved-brief")

urlpatterns = [
    path("search/", api.SearchView.as_view(), name="search"),
    path("search/recommend/", api.RecommendView.as_view(), name="search-recommend"),
    path("search/duplicate-alerts/", api.DuplicateAlertListView.as_view(),
         name="duplicate-alerts"),
    path("search/duplicate-alerts/<int:pk>/dismiss/", api.DuplicateAlertDismissView.as_view(),
         name="duplicate-alert-dismiss"),
    *briefs.urls,
]
