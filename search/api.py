"""Search over HTTP: thin views that validate input and call a selector."""

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from exchange.permissions import IsModerator
from search import recommend, selectors
from search.duplicates import duplicate_alert_dismiss
from search.inputs import MAX_LIMIT, BriefInput
from search.selectors import duplicate_alert_get, duplicate_alerts

MAX_OFFSET = 10_000


class SearchInput(serializers.Serializer):
    q = serializers.CharField(max_length=settings.SEARCH_MAX_QUERY_CHARS)
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=20)
    offset = serializers.IntegerField(min_value=0, max_value=MAX_OFFSET, default=0)


class ResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField()
    title = serializers.CharField()
    ip_type = serializers.CharField()
    region = serializers.CharField()
    language = serializers.CharField()
    summary = serializers.CharField()
    score = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.CharField())


class SearchOutput(serializers.Serializer):
    count = serializers.IntegerField()
    offset = serializers.IntegerField()
    next_offset = serializers.IntegerField(allow_null=True)
    previous_offset = serializers.IntegerField(allow_null=True)
    results = ResultSerializer(many=True)
    facets = serializers.DictField(child=serializers.DictField(child=serializers.IntegerField()))


def _page(result, offset: int, limit: int) -> dict:
    return {
        "count": result.count,
        "offset": offset,
        "next_offset": offset + limit if offset + limit < result.count else None,
        "previous_offset": max(offset - limit, 0) if offset else None,
        "results": result.results,
        "facets": result.facets,
    }


class SearchView(APIView):
    """Search published listings in Korean or English, with exact filters."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=[SearchInput,
                    *[OpenApiParameter(name, str) for name in selectors.FILTER_FIELDS],
                    *[OpenApiParameter(name, OpenApiTypes.DATE, description=(
                        "with medium and territory: only listings whose rights are free for "
                        "this period")) for name in selectors.AVAILABILITY_FIELDS]],
        responses=SearchOutput,
    )
    def get(self, request):
        data = SearchInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        limit, offset = data.validated_data["limit"], data.validated_data["offset"]
        result = selectors.search(text=data.validated_data["q"], filters=request.query_params,
                                  limit=limit, offset=offset)
        return Response(_page(result, offset, limit))


class RecommendView(APIView):
    """A production brief -> ranked listings with the reason for each."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(request=BriefInput, responses=SearchOutput)
    def post(self, request):
        data = BriefInput(data=request.data)
        data.is_valid(raise_exception=True)
        brief = recommend.Brief.from_input(data.validated_data)
        result = recommend.recommend(brief=brief)
        return Response(_page(result, 0, brief.limit))


class DuplicateAlertSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    listing = serializers.IntegerField(source="listing_id")
    similar_listing = serializers.IntegerField(source="similar_listing_id")
    similar_title = serializers.CharField(source="similar_listing.title")
    similar_owner = serializers.CharField(source="similar_listing.owner.email")
    similarity = serializers.FloatField()
    dense_similarity = serializers.FloatField()
    lexical_similarity = serializers.FloatField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()



class DuplicateAlertListView(APIView):
    """Moderators: possible infringement found when listings were submitted.
    ?listing=<id> for one listing's alerts; ?status=open|dismissed."""

    permission_classes = [IsModerator]

    @extend_schema(parameters=[OpenApiParameter("listing", int), OpenApiParameter("status", str)],
                   responses=DuplicateAlertSerializer(many=True))
    def get(self, request):
        alerts = duplicate_alerts(listing_id=request.query_params.get("listing"),
                                  status=request.query_params.get("status"))
        return Response(DuplicateAlertSerializer(alerts, many=True).data)


class DuplicateAlertDismissView(APIView):
    permission_classes = [IsModerator]

    @extend_schema(request=None, responses=DuplicateAlertSerializer)
    def post(self, request, pk):
        alert = duplicate_alert_get(pk=pk)
        alert = duplicate_alert_dismiss(actor=request.user, alert=alert)
        return Response(DuplicateAlertSerializer(alert).data)
