from django.urls import path

from . import api

urlpatterns = [
    path("auth/signup/", api.SignupView.as_view(), name="auth-signup"),
    path("auth/token/", api.TokenView.as_view(), name="auth-token"),
    path("auth/me/", api.MeView.as_view(), name="auth-me"),
    path("auth/me/organisation/", api.OrganisationJoinView.as_view(), name="auth-organisation"),
    path("moderation/users/<int:pk>/", api.ModeratedUserView.as_view(), name="moderated-user"),
    path("moderation/users/<int:pk>/suspend/", api.UserSuspensionView.as_view(),
         {"action": "suspend"}, name="user-suspend"),
    path("moderation/users/<int:pk>/reinstate/", api.UserSuspensionView.as_view(),
         {"action": "reinstate"}, name="user-reinstate"),
]
