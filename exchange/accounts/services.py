from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from exchange.audit.selectors import audit_trail
from exchange.audit.services import audit_record
from exchange.errors import Conflict, Forbidden, InvalidInput
from listings.models import Listing, ListingStatus
from listings.services import listing_reinstate, listing_suspend

from .models import Language, Organisation, User
from .validators import normalize_business_number, validate_business_number

MODERATORS_GROUP = "moderators"
# Starts the reason a listing shows when it was suspended with its owner's account.
ACCOUNT_SUSPENDED_PREFIX = "Account suspended: "


def user_signup(
    *,
    email: str,
    password: str,
    display_name: str,
    preferred_language: str = Language.KOREAN,
    is_creator: bool = False,
    is_producer: bool = False,
) -> User:
    email = (email or "").strip().lower()
    if not (is_creator or is_producer):
        raise InvalidInput.for_field("roles", _("choose creator, producer or both"))
    if preferred_language not in Language.values:
        raise InvalidInput.for_field("preferred_language", _("must be ko or en"))
    candidate = User(email=email, display_name=display_name)
    try:
        validate_password(password, user=candidate)
    except ValidationError as error:
        raise InvalidInput(
            "password: " + error.messages[0], fields={"password": error.messages}
        ) from None
    with transaction.atomic():
        if User.objects.filter(email__iexact=email).exists():
            raise Conflict(_("An account with this email already exists."), code="email_taken",
                           fields={"email": [_("already registered")]})
        user = User.objects.create_user(
            email=email,
            password=password,
            display_name=display_name.strip(),
            preferred_language=preferred_language,
            is_creator=is_creator,
            is_producer=is_producer,
        )
        audit_record(actor=user, action="user.signup", target=user)
    return user


def user_update_profile(
    *,
    user: User,
    display_name: str | None = None,
    preferred_language: str | None = None,
    is_creator: bool | None = None,
    is_producer: bool | None = None,
) -> User:
    if preferred_language is not None and preferred_language not in Language.values:
        raise InvalidInput.for_field("preferred_language", _("must be ko or en"))
    creator = user.is_creator if is_creator is None else is_creator
    producer = user.is_producer if is_producer is None else is_producer
    if not (creator or producer or user.is_staff):
        raise InvalidInput.for_field("roles", _("keep at least one of creator or producer"))
    if display_name is not None:
        if not display_name.strip():
            raise InvalidInput.for_field("display_name", _("may not be blank"))
        user.display_name = display_name.strip()
    if preferred_language is not None:
        user.preferred_language = preferred_language
    user.is_creator, user.is_producer = creator, producer
    user.save(update_fields=["display_name", "preferred_language", "is_creator", "is_producer"])
    return user


def organisation_join_or_create(*, user: User, name: str, business_number: str) -> Organisation:
    """Attach the user to the producer company with this registration number,
    creating it on first use; the number must pass its check digit."""
    try:
        validate_business_number(business_number)
    except ValidationError as error:
        raise InvalidInput.for_field("business_number", error.messages[0]) from None
    if not (name or "").strip():
        raise InvalidInput.for_field("name", _("may not be blank"))
    digits = normalize_business_number(business_number)
    with transaction.atomic():
        try:
            with transaction.atomic():
                organisation, created = Organisation.objects.get_or_create(
                    business_number=digits, defaults={"name": name.strip()}
                )
        except IntegrityError:  # created concurrently by someone else
            organisation, created = Organisation.objects.get(business_number=digits), False
        user.organisation = organisation
        user.save(update_fields=["organisation"])
        audit_record(actor=user, action="organisation.join", target=organisation,
                     data={"created": created})
    return organisation


def _require_moderator(actor: User) -> None:
    if not actor.is_moderator:
        raise Forbidden(_("Only moderators may do this."))


def user_suspend(*, moderator: User, user: User, reason: str) -> User:
    """Close an account: it can no longer sign in (nor use its sessions and API tokens), and
    its published listings are suspended through the moderation workflow with the same
    reason, so they leave search and browse. The audit row keeps which listings that was, so
    a reinstatement brings back exactly those."""
    _require_moderator(moderator)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput.for_field("reason", _("say why the account is suspended"))
    if user.pk == moderator.pk:
        raise Forbidden(_("You cannot suspend your own account."))
    if user.is_superuser:
        raise Forbidden(_("A superuser's account is managed in the admin, not here."))
    with transaction.atomic():
        updated = User.objects.filter(pk=user.pk, is_active=True).update(is_active=False)
        if not updated:
            raise Conflict(_("This account is already suspended."), code="invalid_transition")
        suspended: dict[str, int] = {}
        published = Listing.objects.filter(owner_id=user.pk, status=ListingStatus.PUBLISHED)
        for listing in published.order_by("pk"):
            listing_suspend(actor=moderator, listing=listing,
                            reason=f"{ACCOUNT_SUSPENDED_PREFIX}{reason}")
            suspended[str(listing.pk)] = audit_trail(target=listing).values_list(
                "pk", flat=True).first()
        audit_record(actor=moderator, action="user.suspend", target=user,
                     from_state="active", to_state="suspended", reason=reason,
                     data={"listings_suspended": suspended})
    user.refresh_from_db()
    return user


def user_reinstate(*, moderator: User, user: User, reason: str = "") -> User:
    """Open the account again and reinstate the listings its suspension took down, unless
    something else has happened to one of them since (then a moderator decides on it)."""
    _require_moderator(moderator)
    reason = (reason or "").strip()
    with transaction.atomic():
        updated = User.objects.filter(pk=user.pk, is_active=False).update(is_active=True)
        if not updated:
            raise Conflict(_("This account is not suspended."), code="invalid_transition")
        suspension = audit_trail(target=user).filter(action="user.suspend").first()
        taken = (suspension.data or {}).get("listings_suspended", {}) if suspension else {}
        reinstated = []
        for listing in user.listings.filter(pk__in=[int(pk) for pk in taken]).order_by("pk"):
            latest = audit_trail(target=listing).values_list("pk", flat=True).first()
            if latest == taken[str(listing.pk)]:
                listing_reinstate(actor=moderator, listing=listing, reason=reason)
                reinstated.append(listing.pk)
        audit_record(actor=moderator, action="user.reinstate", target=user,
                     from_state="suspended", to_state="active", reason=reason,
                     data={"listings_reinstated": reinstated})
    user.refresh_from_db()
    return user
