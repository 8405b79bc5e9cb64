"""Saved production briefs over HTTP: the owner's own CRUD and fresh recommendations."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from search import briefs
from search.api import SearchOutput, _page
from search.inputs import MAX_LIMIT, SavedBriefInput
from search.models import SavedBrief


class SavedBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = SavedBrief
        fields = ["id", "title", "text", "media", "territory", "start", "end", "budget_krw",
                  "preferred_regions", "ip_type", "exclusive", "created_at", "updated_at"]
        read_only_fields = fields


class RecommendationsInput(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=20)


class SavedBriefViewSet(viewsets.GenericViewSet):
    """A signed-in user's saved briefs. Another user's brief is not found."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = SavedBriefSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return briefs.saved_briefs_of(self.request.user)

    def get_object(self):
        return briefs.saved_brief_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(responses=SavedBriefSerializer(many=True), tags=["briefs"])
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(SavedBriefSerializer(page, many=True).data)

    @extend_schema(request=SavedBriefInput, responses={201: SavedBriefSerializer},
                   tags=["briefs"])
    def create(self, request):
        data = SavedBriefInput(data=request.data)
        data.is_valid(raise_exception=True)
        brief = briefs.saved_brief_create(owner=request.user, data=data.validated_data)
        return Response(SavedBriefSerializer(brief).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=SavedBriefSerializer, tags=["briefs"])
    def retrieve(self, request, pk=None):
        return Response(SavedBriefSerializer(self.get_object()).data)

    def _replace(self, request, *, partial: bool):
        brief = self.get_object()
        given = request.data if hasattr(request.data, "keys") else {}
        start = briefs.saved_brief_as_input(brief) if partial else {}
        data = SavedBriefInput(data={**start, **given})
        data.is_valid(raise_exception=True)
        brief = briefs.saved_brief_update(actor=request.user, brief=brief,
                                          data=data.validated_data)
        return Response(SavedBriefSerializer(brief).data)

    @extend_schema(request=SavedBriefInput, responses=SavedBriefSerializer, tags=["briefs"])
    def update(self, request, pk=None):
        return self._replace(request, partial=False)

    @extend_schema(request=SavedBriefInput, responses=SavedBriefSerializer, tags=["briefs"])
    def partial_update(self, request, pk=None):
        return self._replace(request, partial=True)

    @extend_schema(request=None, responses={204: None}, tags=["briefs"])
    def destroy(self, request, pk=None):
        briefs.saved_brief_delete(actor=request.user, brief=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(parameters=[OpenApiParameter("limit", int)], responses=SearchOutput,
                   tags=["briefs"])
    @action(detail=True)
    def recommendations(self, request, pk=None):
        """The brief's recommended listings as of now, with the reason for each."""
        brief = self.get_object()
        data = RecommendationsInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        limit = data.validated_data["limit"]
        result = briefs.saved_brief_recommend(brief=brief, limit=limit)
        return Response(_page(result, 0, limit))
