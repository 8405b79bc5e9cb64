from django.urls import path

from . import api

urlpatterns = [
    path("search/", api.SearchView.as_view(), name="search"),
    path("search/recommend/", api.RecommendView.as_view(), name="search-recommend"),
    path("search/duplicate-alerts/", api.DuplicateAlertListView.as_view(),
         name="duplicate-alerts"),
    path("search/duplicate-alerts/<int:pk>/dismiss/", api.DuplicateAlertDismissView.as_view(),
         name="duplicate-alert-dismiss"),
]
