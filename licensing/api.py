"""Licensing over HTTP: thin views that validate input, call a service and
render the result."""

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from exchange.errors import InvalidInput
from listings.models import LicenseOffer
from listings.selectors import listing_get

from . import selectors, services
from .api_licences import DeliverableSerializer, deliverable_rows
from .models import DealTransition
from .serializers import (
    AvailabilityQuery,
    AvailabilitySerializer,
    CounterInput,
    DealDetailSerializer,
    DealReasonInput,
    DealRequestInput,
    DealSerializer,
    MessageInput,
    MessageSerializer,
)
from .terms import TERM_FIELDS, Terms, clean_media, clean_period, clean_territories


def _valid(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class DealViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Deals the signed-in user is a party to (staff: all); anyone else gets 404."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = DealSerializer

    def get_queryset(self):
        deals = selectors.deals_visible_to(self.request.user)
        status_filter = self.request.query_params.get("status")
        if self.action == "list" and status_filter:
            deals = deals.filter(status=status_filter)
        return deals

    def get_object(self):
        return selectors.deal_get(user=self.request.user, pk=self.kwargs["pk"])

    def _render(self, deal, status_code=status.HTTP_200_OK):
        deal = (selectors.deals_visible_to(self.request.user)
                .select_related("agreement", "certificate")
                .prefetch_related("proposals", Prefetch(
                    "transitions", queryset=DealTransition.objects.select_related("actor")))
                .get(pk=deal.pk))
        return Response(DealDetailSerializer(deal, context={"request": self.request}).data,
                        status=status_code)

    @extend_schema(responses=DealDetailSerializer)
    def retrieve(self, request, pk=None):
        return self._render(self.get_object())

    @extend_schema(request=DealRequestInput, responses={201: DealDetailSerializer})
    def create(self, request):
        data = dict(_valid(DealRequestInput, request.data))
        listing = listing_get(user=request.user, pk=data.pop("listing"))
        offer_id = data.pop("offer", None)
        production, message = data.pop("production"), data.pop("message")
        offer = None
        if offer_id is not None:
            offer = LicenseOffer.objects.filter(pk=offer_id, listing=listing).first()
            if offer is None:
                raise InvalidInput.for_field("offer", _("is not an offer of this listing"))
            extra = sorted(set(data) - {"start_date"})
            if extra:
                raise InvalidInput.for_field(
                    extra[0], _("comes from the offer; counter after requesting to change it"))
        deal = services.deal_request(
            producer=request.user, listing=listing, production=production, message=message,
            offer=offer, start_date=data.get("start_date") if offer else None,
            terms=None if offer else {"exclusive": False, **data},
        )
        return self._render(deal, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=DealDetailSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._render(services.deal_accept(actor=request.user, deal=self.get_object()))

    @extend_schema(request=DealReasonInput, responses=DealDetailSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        deal = self.get_object()
        reason = _valid(DealReasonInput, request.data)["reason"]
        return self._render(services.deal_reject(actor=request.user, deal=deal, reason=reason))

    @extend_schema(request=DealReasonInput, responses=DealDetailSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        deal = self.get_object()
        reason = _valid(DealReasonInput, request.data)["reason"]
        return self._render(services.deal_withdraw(actor=request.user, deal=deal, reason=reason))

    @extend_schema(request=CounterInput, responses=DealDetailSerializer)
    @action(detail=True, methods=["post"])
    def counter(self, request, pk=None):
        deal = self.get_object()
        data = dict(_valid(CounterInput, request.data))
        note = data.pop("note")
        changes = {name: data[name] for name in TERM_FIELDS if name in data}
        return self._render(services.deal_counter(actor=request.user, deal=deal,
                                                  changes=changes, note=note))

    @extend_schema(request=None, responses=DealDetailSerializer)
    @action(detail=True, methods=["post"], url_path="mark-paid")
    def mark_paid(self, request, pk=None):
        """Staff: payment arrived by bank transfer or invoice; the hold becomes grants."""
        return self._render(services.deal_mark_paid(actor=request.user, deal=self.get_object()))

    @extend_schema(request=DealReasonInput, responses=DealDetailSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        """Creator or staff: revoke a licence for breach, with a reason."""
        deal = self.get_object()
        reason = _valid(DealReasonInput, request.data)["reason"]
        return self._render(services.deal_revoke(actor=request.user, deal=deal, reason=reason))

    @extend_schema(responses=DeliverableSerializer(many=True))
    @action(detail=True)
    def deliverables(self, request, pk=None):
        """The licensee's expiring download links, while the licence is active."""
        deal = self.get_object()
        return Response(DeliverableSerializer(deliverable_rows(request, deal), many=True).data)

    @extend_schema(methods=["GET"], responses=MessageSerializer(many=True))
    @extend_schema(methods=["POST"], request=MessageInput, responses={201: MessageSerializer})
    @action(detail=True, methods=["get", "post"])
    def messages(self, request, pk=None):
        deal = self.get_object()
        if request.method == "POST":
            body = _valid(MessageInput, request.data)["body"]
            message = services.deal_message_post(actor=request.user, deal=deal, body=body)
            return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)
        return Response(MessageSerializer(selectors.deal_messages(deal=deal), many=True).data)


def _query_values(request, name: str) -> list[str]:
    """`?media=a,b` and `?media=a&media=b` alike."""
    return [part.strip() for value in request.query_params.getlist(name)
            for part in value.split(",") if part.strip()]


class AvailabilityView(APIView):
    """May these rights still be licensed? Available or not, and what blocks."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("media", str, description="medium, or several comma-separated"),
            OpenApiParameter("territory", str, description="ISO 3166-1 alpha-2 code(s) or WW"),
            OpenApiParameter("start", str, description="YYYY-MM-DD, inclusive"),
            OpenApiParameter("end", str, description="YYYY-MM-DD, inclusive"),
            OpenApiParameter("exclusive", bool),
        ],
        responses=AvailabilitySerializer,
    )
    def get(self, request, listing_id):
        listing = listing_get(user=request.user, pk=listing_id)
        query = _valid(AvailabilityQuery, {
            **{key: request.query_params[key] for key in ("start", "end", "exclusive")
               if key in request.query_params},
            "media": ",".join(_query_values(request, "media")),
            "territory": ",".join(_query_values(request, "territory")),
        })
        media = clean_media(query["media"].split(","))
        territories = clean_territories(query["territory"].split(","))
        start, end = clean_period(query["start"], query["end"])
        terms = Terms(media=media, territories=territories, start_date=start, end_date=end,
                      exclusive=query["exclusive"], fee_krw=0, royalty_pct=None)
        blocks = selectors.blocks_for(listing_id=listing.pk, terms=terms)
        return Response(AvailabilitySerializer({
            "listing": listing.pk, "available": not blocks, "media": list(media),
            "territories": list(territories), "start": start, "end": end,
            "exclusive": query["exclusive"],
            "blocked_by": [{**block.as_dict(), "reason": block.describe()} for block in blocks],
        }).data)
