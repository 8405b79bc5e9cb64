def navigation(request):
    """What the header needs to know about the person signed in."""
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {
        "nav_is_creator": signed_in and user.is_creator,
        "nav_is_producer": signed_in and user.is_producer,
        "nav_is_moderator": signed_in and user.is_moderator,
    }
