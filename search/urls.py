from django.urls import path

from . import api

urlpatterns = [
    path("search/", api.SearchView.as_view(), name="search"),
    path("search/recommend/", api.RecommendView.as_view(), name="search-recommend"),
]
