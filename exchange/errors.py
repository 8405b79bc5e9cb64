"""One error shape for the whole API: {"code", "message", "fields"}.

Domain code raises ApplicationError (or a subclass) with a stable code; DRF's
own exceptions and Django's ValidationError are mapped onto the same shape.
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler


class ApplicationError(Exception):
    code = "invalid"
    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, message: str, *, code: str | None = None, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.fields = fields or {}


class InvalidInput(ApplicationError):
    """Input that names a field and the reason it is wrong."""

    @classmethod
    def for_field(cls, field: str, reason: str) -> "InvalidInput":
        return cls(f"{field}: {reason}", fields={field: [reason]})


class Conflict(ApplicationError):
    code = "conflict"
    status_code = status.HTTP_409_CONFLICT


class Forbidden(ApplicationError):
    code = "permission_denied"
    status_code = status.HTTP_403_FORBIDDEN


class NotFound(ApplicationError):
    code = "not_found"
    status_code = status.HTTP_404_NOT_FOUND


def flatten_errors(detail) -> dict[str, list[str]]:
    """DRF error detail (nested dicts/lists) -> {"field.sub": ["reason", ...]}."""
    out: dict[str, list[str]] = {}

    def walk(prefix: str, value):
        if isinstance(value, dict):
            for key, sub in value.items():
                # A nested serializer's own errors (e.g. too many offers) belong to its field.
                if prefix and key == api_settings.NON_FIELD_ERRORS_KEY:
                    walk(prefix, sub)
                else:
                    walk(f"{prefix}.{key}" if prefix else str(key), sub)
        elif isinstance(value, list) and value and not all(isinstance(v, str) for v in value):
            for index, sub in enumerate(value):
                if sub:
                    walk(f"{prefix}.{index}" if prefix else str(index), sub)
        else:
            reasons = value if isinstance(value, list) else [value]
            out.setdefault(prefix or "non_field_errors", []).extend(str(r) for r in reasons)

    walk("", detail)
    return out


def _summary(fields: dict[str, list[str]]) -> str:
    parts = [f"{name}: {reasons[0]}" for name, reasons in fields.items()]
    return "; ".join(parts) or "Invalid input."


def exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        return Response(
            {"code": exc.code, "message": exc.message, "fields": exc.fields},
            status=exc.status_code,
        )
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = exc.message_dict
        else:
            detail = {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = flatten_errors(exc.detail)
        body = {"code": "invalid", "message": _summary(fields), "fields": fields}
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        body = {"code": code, "message": str(detail), "fields": {}}
    response.data = body
    return response
