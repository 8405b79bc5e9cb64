"""Service and input errors, put back next to the field they name."""

from django import forms
from django.utils.translation import gettext as _

from exchange.errors import ApplicationError


def translated(reason: str) -> str:
    """A service's reason in the reader's language when the catalog knows it
    (frontend/service_messages.py lists them), else as the service wrote it."""
    return _(reason)


def error_reasons(error: ApplicationError) -> list[str]:
    """A refusal in the reader's language: the first reason of each field it names, else
    its message."""
    return ([translated(str(reasons[0])) for reasons in error.fields.values() if reasons]
            or [translated(error.message)])


def add_errors(form: forms.Form, fields: dict[str, list[str]], *, aliases=None,
               fallback: str = "") -> None:
    """{"field": ["reason"]} -> errors on the form's fields; unknown names become form errors."""
    aliases = aliases or {}
    for name, reasons in fields.items():
        target = aliases.get(name, name)
        messages = [translated(str(reason)) for reason in reasons]
        if target in form.fields:
            form.add_error(target, messages)
        else:
            form.add_error(None, [f"{name}: {message}" for message in messages])
    if not fields and fallback:
        form.add_error(None, translated(fallback))


def add_service_error(form: forms.Form, error: ApplicationError, *, aliases=None) -> None:
    add_errors(form, error.fields, aliases=aliases, fallback=error.message)
