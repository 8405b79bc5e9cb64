"""POST /webhooks/stripe/: a plain Django view, so the signature is checked over
the body exactly as it arrived (no parser in between)."""

from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .gateways.stripe import SignatureInvalid
from .services import stripe_enabled
from .services.webhooks import webhook_apply, webhook_store


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> JsonResponse:
    """400 and nothing stored for a bad or stale signature; 200 for anything stored,
    whether applied now, a repeat, a type we ignore, or one that failed to apply
    (recorded on the event; Stripe retrying would not change the outcome)."""
    if not stripe_enabled():
        raise Http404
    try:
        event, created = webhook_store(payload=request.body,
                                       signature=request.headers.get("Stripe-Signature", ""))
    except SignatureInvalid:
        return JsonResponse({"code": "invalid_signature",
                             "message": "The signature does not match or is too old.",
                             "fields": {}}, status=400)
    if created:
        event = webhook_apply(webhook_event_id=event.pk)
    return JsonResponse({"id": event.event_id, "status": event.status,
                         "duplicate": not created})
