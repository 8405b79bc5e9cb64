"""Reports of infringement or abuse over HTTP: file and follow one's own, and the
moderators' queue with its two decisions. Thin: input is checked here, the rest is in
listings.services.reports."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from exchange.errors import InvalidInput, NotFound
from exchange.permissions import IsModerator

from . import selectors, services
from .inputs import StrictSerializer
from .models import ReportKind, ReportStatus
from .serializers import ReasonInput


class ReportInput(StrictSerializer):
    listing = serializers.IntegerField(min_value=1)
    kind = serializers.ChoiceField(choices=ReportKind.choices)
    description = serializers.CharField(max_length=services.reports.MAX_DESCRIPTION_CHARS)
    evidence_url = serializers.URLField(max_length=500, required=False, allow_blank=True,
                                        default="")


class ReportSerializer(serializers.Serializer):
    """What the reporter sees: the report and how it was resolved."""

    id = serializers.IntegerField()
    listing = serializers.IntegerField(source="listing_id")
    listing_title = serializers.CharField(source="listing.title")
    kind = serializers.ChoiceField(choices=ReportKind.choices)
    description = serializers.CharField()
    evidence_url = serializers.CharField()
    status = serializers.ChoiceField(choices=ReportStatus.choices)
    resolution_reason = serializers.CharField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


class ReportPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()
    email = serializers.EmailField()


class ModerationReportSerializer(ReportSerializer):
    """What a moderator sees besides: who reported, whose listing, who resolved it."""

    listing_status = serializers.CharField(source="listing.status")
    listing_owner = ReportPersonSerializer(source="listing.owner")
    reporter = ReportPersonSerializer()
    resolved_by = serializers.CharField(source="resolved_by.display_name", default=None)


class ReportViewSet(viewsets.GenericViewSet):
    """A signed-in user's own reports. File one on any published listing but one's own."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ReportSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.reports_filed_by(self.request.user)

    @extend_schema(responses=ReportSerializer(many=True), tags=["reports"])
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ReportSerializer(page, many=True).data)

    @extend_schema(responses=ReportSerializer, tags=["reports"])
    def retrieve(self, request, pk=None):
        report = self.get_queryset().filter(pk=pk).first()
        if report is None:  # another's report (moderators read those in moderation)
            raise NotFound(_("No such report."))
        return Response(ReportSerializer(report).data)

    @extend_schema(request=ReportInput, responses={201: ReportSerializer}, tags=["reports"])
    def create(self, request):
        data = ReportInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        listing = selectors.listings_visible_to(request.user).filter(
            pk=values.pop("listing")).first()
        if listing is None:
            raise InvalidInput.for_field("listing", _("no such listing"))
        report = services.report_file(reporter=request.user, listing=listing, **values)
        report = self.get_queryset().get(pk=report.pk)
        return Response(ReportSerializer(report).data, status=status.HTTP_201_CREATED)


class ModerationReportViewSet(viewsets.GenericViewSet):
    """Moderators: the reports queue (?status=open|dismissed|taken_down|all), one report,
    and its resolution: dismiss with a reason, or take the listing down."""

    permission_classes = [IsModerator]
    serializer_class = ModerationReportSerializer
    lookup_value_regex = r"\d+"

    def _status(self) -> str | None:
        wanted = self.request.query_params.get("status", ReportStatus.OPEN)
        if wanted == "all":
            return None
        if wanted not in ReportStatus.values:
            raise InvalidInput.for_field(
                "status", _("must be one of %(choices)s")
                % {"choices": ", ".join([*ReportStatus.values, "all"])})
        return wanted

    def get_queryset(self):
        return selectors.report_queue(user=self.request.user, status=self._status())

    @extend_schema(parameters=[OpenApiParameter("status", str)],
                   responses=ModerationReportSerializer(many=True), tags=["moderation"])
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ModerationReportSerializer(page, many=True).data)

    @extend_schema(responses=ModerationReportSerializer, tags=["moderation"])
    def retrieve(self, request, pk=None):
        return Response(ModerationReportSerializer(
            selectors.report_get(user=request.user, pk=pk)).data)

    def _resolve(self, request, pk, service):
        report = selectors.report_get(user=request.user, pk=pk)
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        service(moderator=request.user, report=report, reason=data.validated_data["reason"])
        return Response(ModerationReportSerializer(
            selectors.report_get(user=request.user, pk=pk)).data)

    @extend_schema(request=ReasonInput, responses=ModerationReportSerializer,
                   tags=["moderation"])
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        return self._resolve(request, pk, services.report_dismiss)

    @extend_schema(request=ReasonInput, responses=ModerationReportSerializer,
                   tags=["moderation"])
    @action(detail=True, methods=["post"], url_path="take-down")
    def take_down(self, request, pk=None):
        return self._resolve(request, pk, services.report_take_down)


