"""What every page view shares: who may enter, and service errors as messages."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from exchange.errors import ApplicationError

from ..forms.errors import error_reasons


def _role_required(has_role):
    """A view decorator: signed in (else to the sign-in page, and back here after) and
    `has_role(user)` (else 403)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not has_role(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


creator_required = _role_required(lambda user: user.is_creator)
producer_required = _role_required(lambda user: user.is_producer)
staff_required = _role_required(lambda user: user.is_active and user.is_staff)
moderator_required = _role_required(lambda user: user.is_moderator)


def error_message(request, error: ApplicationError) -> None:
    """A refused action as a message at the top of the next page, each named field's reason
    included."""
    messages.error(request, "; ".join(error_reasons(error)))


def remember_language(response, language: str) -> None:
    """Make the user's preferred language the one the pages speak from now on."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, language,
        max_age=settings.LANGUAGE_COOKIE_AGE, path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN, secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY, samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
