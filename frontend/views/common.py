"""What every page view shares: who may enter, and service errors as messages."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from exchange.errors import ApplicationError

from ..forms.errors import translated


def creator_required(view):
    """Signed in (else to the sign-in page) and holding the creator role (else 403)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_creator:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def producer_required(view):
    """Signed in (else to the sign-in page, and back here after) and holding the producer
    role (else 403)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_producer:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def staff_required(view):
    """Signed in and staff (bank receipts: payments.services.bank_receipt_record)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not (request.user.is_active and request.user.is_staff):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def moderator_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_moderator:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def error_message(request, error: ApplicationError) -> None:
    """A refused action as a message at the top of the next page, each named field's reason
    included."""
    details = [f"{translated(reasons[0])}" for reasons in error.fields.values() if reasons]
    text = "; ".join(details) if details else translated(error.message)
    messages.error(request, text)


def remember_language(response, language: str) -> None:
    """Make the user's preferred language the one the pages speak from now on."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, language,
        max_age=settings.LANGUAGE_COOKIE_AGE, path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN, secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY, samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
