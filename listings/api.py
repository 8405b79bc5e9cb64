"""Listings over HTTP: thin views that validate input, call a service and
render the result."""

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from exchange.audit.selectors import audit_trail
from exchange.errors import NotFound
from exchange.permissions import IsModerator
from search import selectors as search_selectors
from search.api import SearchOutput

from . import selectors, services
from .filters import ListingFilter
from .inputs import ListingInput
from .serializers import (
    AuditEntrySerializer,
    ListingSerializer,
    ListingSummarySerializer,
    MediaAssetSerializer,
    MediaUploadInput,
    ModerationListingSerializer,
    ReasonInput,
)

SIMILAR_LIMIT = 10


class SimilarListingsOutput(SearchOutput):
    offset = next_offset = previous_offset = facets = None



class ListingViewSet(viewsets.GenericViewSet):
    """Published listings for everyone; creators manage their own."""

    filter_backends = [DjangoFilterBackend]
    filterset_class = ListingFilter

    def get_queryset(self):
        if self.action == "list":
            return selectors.published_listings()
        if self.action == "mine":
            return selectors.listings_owned_by(self.request.user).order_by("-updated_at", "-id")
        return selectors.listings_visible_to(self.request.user)

    def get_object(self):
        return selectors.listing_get(user=self.request.user, pk=self.kwargs["pk"])

    def _render(self, listing, status_code=status.HTTP_200_OK):
        listing = selectors.listing_get(user=self.request.user, pk=listing.pk)
        return Response(ListingSerializer(listing, context={"request": self.request}).data,
                        status=status_code)

    @extend_schema(responses=ListingSummarySerializer(many=True))
    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        data = ListingSummarySerializer(page, many=True, context={"request": request}).data
        return self.get_paginated_response(data)

    @extend_schema(responses=ListingSerializer)
    def retrieve(self, request, pk=None):
        return Response(ListingSerializer(self.get_object(), context={"request": request}).data)

    @extend_schema(request=ListingInput, responses={201: ListingSerializer})
    def create(self, request):
        data = ListingInput(data=request.data)
        data.is_valid(raise_exception=True)
        listing = services.listing_create(owner=request.user, data=data.validated_data)
        return self._render(listing, status.HTTP_201_CREATED)

    @extend_schema(request=ListingInput, responses=ListingSerializer)
    def partial_update(self, request, pk=None):
        listing = self.get_object()
        data = ListingInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        listing = services.listing_update(actor=request.user, listing=listing,
                                          data=data.validated_data)
        return self._render(listing)

    @extend_schema(request=ListingInput, responses=ListingSerializer)
    def update(self, request, pk=None):
        listing = self.get_object()
        data = ListingInput(data=request.data)
        data.is_valid(raise_exception=True)
        listing = services.listing_update(actor=request.user, listing=listing,
                                          data=data.validated_data)
        return self._render(listing)

    @extend_schema(responses=ListingSummarySerializer(many=True))
    @action(detail=False, permission_classes=[permissions.IsAuthenticated],
            filter_backends=[])
    def mine(self, request):
        page = self.paginate_queryset(self.get_queryset())
        data = ListingSummarySerializer(page, many=True, context={"request": request}).data
        return self.get_paginated_response(data)

    def _owner_action(self, service):
        listing = service(actor=self.request.user, listing=self.get_object())
        return self._render(listing)

    @extend_schema(request=None, responses=ListingSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._owner_action(services.listing_submit)

    @extend_schema(request=None, responses=ListingSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._owner_action(services.listing_withdraw)

    @extend_schema(request=None, responses=ListingSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        return self._owner_action(services.listing_archive)

    @extend_schema(responses=SimilarListingsOutput)
    @action(detail=True, permission_classes=[permissions.AllowAny], filter_backends=[])
    def similar(self, request, pk=None):
        """The nearest published listings, by meaning and shared words, with reasons."""
        results = search_selectors.similar(listing=self.get_object(), limit=SIMILAR_LIMIT)
        return Response({"count": len(results), "results": results})

    @extend_schema(responses=AuditEntrySerializer(many=True))
    @action(detail=True, permission_classes=[permissions.IsAuthenticated])
    def history(self, request, pk=None):
        """The listing's moderation and edit history: owner and moderators only."""
        listing = self.get_object()
        if not selectors.can_see_private_media(request.user, listing):
            raise NotFound(_("No listing here."))
        return Response(AuditEntrySerializer(audit_trail(target=listing), many=True).data)

    @extend_schema(request={"multipart/form-data": MediaUploadInput},
                   responses={201: MediaAssetSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def media(self, request, pk=None):
        listing = self.get_object()
        data = MediaUploadInput(data=request.data)
        data.is_valid(raise_exception=True)
        media = services.media_attach(actor=request.user, listing=listing,
                                      **data.validated_data)
        return Response(MediaAssetSerializer(media, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"media/(?P<media_id>\d+)")
    def media_remove(self, request, pk=None, media_id=None):
        listing = self.get_object()
        media = listing.media.filter(pk=media_id).first()
        if media is None:
            raise NotFound(_("No such media file on this listing."))
        services.media_remove(actor=request.user, media=media)
        return Response(status=status.HTTP_204_NO_CONTENT)


MODERATION_SERVICES = {
    "approve": services.listing_approve,
    "reject": services.listing_reject,
    "request_changes": services.listing_request_changes,
    "suspend": services.listing_suspend,
    "reinstate": services.listing_reinstate,
}


class ModerationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The review queue and the moderators' decisions."""

    permission_classes = [IsModerator]
    serializer_class = ModerationListingSerializer

    def get_queryset(self):
        return selectors.moderation_queue()

    @extend_schema(responses=ModerationListingSerializer)
    def retrieve(self, request, pk=None):
        """One listing under review, with its near-duplicate alerts."""
        listing = selectors.listing_for_review(user=request.user, pk=pk)
        return Response(ModerationListingSerializer(listing, context={"request": request}).data)

    def _decide(self, request, pk, name):
        listing = selectors.listing_get(user=request.user, pk=pk)
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        listing = MODERATION_SERVICES[name](actor=request.user, listing=listing,
                                            reason=data.validated_data["reason"])
        listing = selectors.listing_get(user=request.user, pk=listing.pk)
        return Response(ListingSerializer(listing, context={"request": request}).data)

    @extend_schema(request=ReasonInput, responses=ListingSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(request, pk, "approve")

    @extend_schema(request=ReasonInput, responses=ListingSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, pk, "reject")

    @extend_schema(request=ReasonInput, responses=ListingSerializer)
    @action(detail=True, methods=["post"], url_path="request-changes")
    def request_changes(self, request, pk=None):
        return self._decide(request, pk, "request_changes")

    @extend_schema(request=ReasonInput, responses=ListingSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        return self._decide(request, pk, "suspend")

    @extend_schema(request=ReasonInput, responses=ListingSerializer)
    @action(detail=True, methods=["post"])
    def reinstate(self, request, pk=None):
        return self._decide(request, pk, "reinstate")


class MediaDownloadView(APIView):
    """Streams a media file after checking the viewer may see it; files are
    never served straight from the media folder."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request, pk):
        media = selectors.media_get(user=request.user, pk=pk)
        field = media.thumbnail if request.query_params.get("thumbnail") else media.file
        if not field:
            raise Http404
        response = FileResponse(field.open("rb"),
                                content_type="image/jpeg" if field is media.thumbnail
                                else media.content_type,
                                as_attachment=not media.is_public,
                                filename=media.original_name)
        response["X-Content-Type-Options"] = "nosniff"
        return response
