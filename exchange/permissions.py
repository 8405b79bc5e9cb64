from rest_framework import permissions


class IsModerator(permissions.BasePermission):
    """Active staff in the moderators group (User.is_moderator)."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_moderator)
