from django.contrib.auth import authenticate
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.views import APIView

from exchange.errors import InvalidInput, NotFound
from exchange.permissions import IsModerator
from exchange.throttles import AuthRateThrottle

from . import services
from .models import Language, Organisation, User


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "business_number"]
        read_only_fields = fields


class UserSerializer(serializers.ModelSerializer):
    organisation = OrganisationSerializer(read_only=True)
    is_moderator = serializers.BooleanField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "display_name", "preferred_language", "is_creator",
                  "is_producer", "is_moderator", "organisation"]
        read_only_fields = ["id", "email", "is_moderator", "organisation"]


class SignupSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    display_name = serializers.CharField(max_length=120)
    preferred_language = serializers.ChoiceField(choices=Language.choices, default=Language.KOREAN)
    is_creator = serializers.BooleanField(default=False)
    is_producer = serializers.BooleanField(default=False)


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True, style={"input_type": "password"})


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    user = UserSerializer()


class OrganisationJoinSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    business_number = serializers.CharField(max_length=20)


class SignupView(APIView):
    permission_classes = [permissions.AllowAny]
    throttle_classes = [AuthRateThrottle]

    @extend_schema(request=SignupSerializer, responses={201: TokenResponseSerializer},
                   tags=["auth"])
    def post(self, request):
        data = SignupSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_signup(**data.validated_data)
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key, "user": UserSerializer(user).data},
                        status=status.HTTP_201_CREATED)


class TokenView(APIView):
    """Exchange email and password for an API token (clients send `Authorization: Token …`)."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    throttle_classes = [AuthRateThrottle]

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenResponseSerializer},
                   tags=["auth"])
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(request, email=data.validated_data["email"].lower(),
                            password=data.validated_data["password"])
        if user is None:
            raise InvalidInput(gettext("Email or password is wrong, or the account is suspended."),
                               code="invalid_credentials")
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key, "user": UserSerializer(user).data})


class MeView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=UserSerializer, tags=["auth"])
    def get(self, request):
        return Response(UserSerializer(request.user).data)

    @extend_schema(request=UserSerializer, responses=UserSerializer, tags=["auth"])
    def patch(self, request):
        data = UserSerializer(request.user, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        user = services.user_update_profile(user=request.user, **data.validated_data)
        return Response(UserSerializer(user).data)


class OrganisationJoinView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=OrganisationJoinSerializer, responses=OrganisationSerializer,
                   tags=["auth"])
    def post(self, request):
        data = OrganisationJoinSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organisation = services.organisation_join_or_create(user=request.user,
                                                            **data.validated_data)
        return Response(OrganisationSerializer(organisation).data)


class ModeratedUserSerializer(serializers.ModelSerializer):
    organisation = OrganisationSerializer(read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "display_name", "is_creator", "is_producer", "is_staff",
                  "is_active", "date_joined", "organisation"]
        read_only_fields = fields


class SuspensionInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True,
                                   default="")


def _moderated_user(pk) -> User:
    user = User.objects.select_related("organisation").filter(pk=pk).first()
    if user is None:
        raise NotFound(gettext("No such user."))
    return user


class ModeratedUserView(APIView):
    """Moderators: one account, whether it is active."""

    permission_classes = [IsModerator]

    @extend_schema(responses=ModeratedUserSerializer, tags=["moderation"])
    def get(self, request, pk):
        return Response(ModeratedUserSerializer(_moderated_user(pk)).data)


class UserSuspensionView(APIView):
    """Moderators: suspend an account (a reason is required; its published listings are
    suspended with it) or reinstate it (and the listings its suspension took down)."""

    permission_classes = [IsModerator]
    services_by_action = {"suspend": services.user_suspend,
                          "reinstate": services.user_reinstate}

    @extend_schema(request=SuspensionInput, responses=ModeratedUserSerializer,
                   tags=["moderation"])
    def post(self, request, pk, action):
        user = _moderated_user(pk)
        data = SuspensionInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = self.services_by_action[action](moderator=request.user, user=user,
                                               reason=data.validated_data["reason"])
        return Response(ModeratedUserSerializer(user).data)
