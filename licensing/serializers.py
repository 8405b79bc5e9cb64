"""Input and output shapes of the licensing API. Inputs check types only; the
rules of valid terms live in licensing.terms, used by the services."""

from decimal import Decimal

from rest_framework import serializers

from listings.inputs import StrictSerializer
from listings.models import Medium

from .models import Deal, DealMessage, DealProposal, DealTransition
from .selectors import licence_status
from .terms import MAX_FEE_KRW
from .workflow import ROYALTY_PCT_RANGE, TRANSITIONS


class TermsInput(StrictSerializer):
    media = serializers.ListField(child=serializers.ChoiceField(choices=Medium.choices),
                                  min_length=1, max_length=10, required=False)
    territories = serializers.ListField(child=serializers.CharField(max_length=8),
                                        min_length=1, max_length=250, required=False)
    start_date = serializers.DateField(required=False)
    end_date = serializers.DateField(required=False)
    exclusive = serializers.BooleanField(required=False)
    fee_krw = serializers.IntegerField(min_value=0, max_value=MAX_FEE_KRW, required=False)
    royalty_pct = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal(ROYALTY_PCT_RANGE[0]),
        max_value=Decimal(ROYALTY_PCT_RANGE[1]), allow_null=True, required=False,
    )


class DealRequestInput(TermsInput):
    listing = serializers.IntegerField()
    offer = serializers.IntegerField(required=False, allow_null=True)
    production = serializers.CharField(max_length=5000)
    message = serializers.CharField(max_length=5000, required=False, allow_blank=True,
                                    default="")


class CounterInput(TermsInput):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class DealReasonInput(StrictSerializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class MessageInput(StrictSerializer):
    body = serializers.CharField(max_length=5000)


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


class ListingRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class TermsSerializer(serializers.Serializer):
    media = serializers.ListField(child=serializers.CharField())
    territories = serializers.ListField(child=serializers.CharField())
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    exclusive = serializers.BooleanField()
    fee_krw = serializers.IntegerField()
    royalty_pct = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)


class ProposalSerializer(serializers.ModelSerializer):
    class Meta:
        model = DealProposal
        fields = ["version", "side", "terms", "note", "created_at"]


class TransitionSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = DealTransition
        fields = ["action", "from_status", "to_status", "actor", "reason", "version",
                  "created_at"]

    def get_actor(self, transition) -> str | None:
        deal = transition.deal
        return deal.party_of(transition.actor) or ("staff" if transition.actor_id else None)


class DealSerializer(serializers.ModelSerializer):
    listing = ListingRefSerializer()
    creator = PersonSerializer()
    producer = PersonSerializer()
    terms = serializers.SerializerMethodField()
    your_role = serializers.SerializerMethodField()
    your_actions = serializers.SerializerMethodField()

    class Meta:
        model = Deal
        fields = ["id", "listing", "offer", "creator", "producer", "status", "awaiting",
                  "version", "terms", "production", "reason", "expires_at", "hold_expires_at",
                  "accepted_at", "paid_at", "created_at", "updated_at", "your_role",
                  "your_actions"]

    def _viewer(self):
        request = self.context.get("request")
        return request.user if request else None

    def get_terms(self, deal) -> dict:
        return TermsSerializer({
            "media": deal.media, "territories": deal.territories,
            "start_date": deal.start_date, "end_date": deal.end_date,
            "exclusive": deal.exclusive, "fee_krw": deal.fee_krw,
            "royalty_pct": deal.royalty_pct,
        }).data

    def get_your_role(self, deal) -> str | None:
        return deal.party_of(self._viewer())

    def get_your_actions(self, deal) -> list[str]:
        """What the viewer may do now, for clients that draw buttons."""
        party = deal.party_of(self._viewer())
        viewer = self._viewer()
        allowed = []
        for name, transition in TRANSITIONS.items():
            if deal.status not in transition.sources:
                continue
            if (transition.by == "party_on_turn" and party and party == deal.awaiting) \
                    or (transition.by == party) \
                    or (transition.by == "staff" and viewer and viewer.is_staff) \
                    or (transition.by == "creator_or_staff"
                        and (party == "creator" or (viewer and viewer.is_staff))):
                allowed.append(name)
        return allowed


class DealDetailSerializer(DealSerializer):
    proposals = ProposalSerializer(many=True, read_only=True)
    transitions = TransitionSerializer(many=True, read_only=True)
    agreement = serializers.SerializerMethodField()
    licence = serializers.SerializerMethodField()

    class Meta(DealSerializer.Meta):
        fields = [*DealSerializer.Meta.fields, "proposals", "transitions", "agreement",
                  "licence"]

    def get_agreement(self, deal) -> int | None:
        agreement = getattr(deal, "agreement", None) if hasattr(deal, "agreement") else None
        return agreement.pk if agreement else None

    def get_licence(self, deal) -> dict | None:
        """Status and certificate of a licence; None before payment."""
        from .api_licences import certificate_links

        status = licence_status(deal)
        if status is None:
            return None
        certificate = getattr(deal, "certificate", None) if hasattr(deal, "certificate") else None
        return {"status": status,
                "certificate": certificate_links(self.context["request"], certificate)
                if certificate else None}


class MessageSerializer(serializers.ModelSerializer):
    author = PersonSerializer()

    class Meta:
        model = DealMessage
        fields = ["id", "author", "body", "created_at"]


class AvailabilityQuery(serializers.Serializer):
    media = serializers.CharField()
    territory = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    exclusive = serializers.BooleanField(default=False)


class BlockSerializer(serializers.Serializer):
    medium = serializers.CharField()
    territory = serializers.CharField()
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    exclusive = serializers.BooleanField()
    kind = serializers.CharField()
    reason = serializers.CharField()


class AvailabilitySerializer(serializers.Serializer):
    listing = serializers.IntegerField()
    available = serializers.BooleanField()
    media = serializers.ListField(child=serializers.CharField())
    territories = serializers.ListField(child=serializers.CharField())
    start = serializers.DateField()
    end = serializers.DateField()
    exclusive = serializers.BooleanField()
    blocked_by = BlockSerializer(many=True)
