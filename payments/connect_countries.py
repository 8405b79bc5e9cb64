"""Which Stripe Connect account a creator gets, by the country they live in.

Korea is not a country a Stripe platform can be based in, so Korean creators
cannot get a `full` account of their own; they get an Express account under
the `recipient` service agreement, which can only receive transfers from the
platform (cross-border payouts) and is paid out to a Korean bank account.
Creators in countries Stripe fully supports get an ordinary Express account
(`full` agreement).

How a card payment reaches the creator (payments.services.card):
- a `recipient` account that can receive money gets a destination charge
  (transfer_data[destination], the platform fee as application_fee_amount) and
  no on_behalf_of: for cross-border payouts Stripe supports separate charges and
  transfers without on_behalf_of, top-ups and transfers, and destination
  charges; direct charges and destination charges with on_behalf_of are not
  supported. Some countries allow only the first two (India), so they keep
  separate charges and transfers (SEPARATE_CHARGES_ONLY);
- a `full` account keeps separate charges and transfers: Stripe supports a
  destination charge without on_behalf_of only when the platform and the
  account are in the same region, and this table does not know the platform's;
- an account not ready yet (or none) keeps separate charges and transfers, so a
  producer can pay before the creator finished onboarding.

Sources: docs.stripe.com/connect/service-agreement-types,
docs.stripe.com/connect/cross-border-payouts ("Fund flow restrictions", and its
country-specific considerations), docs.stripe.com/connect/destination-charges.
Stripe's lists change; this table is the one place to update.
"""

from __future__ import annotations

# Countries where Stripe fully supports businesses (Express accounts, `full`).
FULL_SERVICE = frozenset({
    "AE", "AT", "AU", "BE", "BG", "BR", "CA", "CH", "CY", "CZ", "DE", "DK", "EE", "ES",
    "FI", "FR", "GB", "GI", "GR", "HK", "HR", "HU", "IE", "IT", "JP", "LI", "LT", "LU",
    "LV", "MT", "MX", "MY", "NL", "NO", "NZ", "PL", "PT", "RO", "SE", "SG", "SI", "SK",
    "TH", "US",
})

# Countries reachable only by cross-border payouts (`recipient` agreement,
# transfers capability only).
RECIPIENT_ONLY = frozenset({
    "KR", "TW", "PH", "VN", "ID", "IN", "IL", "TR", "ZA", "CL", "CO", "PE", "AR", "MN",
    "KZ", "UZ",
})


# Cross-border countries whose payouts Stripe supports only from separate charges and
# transfers (or top-ups), not from destination charges.
SEPARATE_CHARGES_ONLY = frozenset({"IN"})


def destination_charge_allowed(*, country: str, service_agreement: str) -> bool:
    """Whether a card payment may go to an account of this country and agreement as
    a destination charge without on_behalf_of (see the module's docstring)."""
    return (service_agreement == "recipient"
            and (country or "").upper() not in SEPARATE_CHARGES_ONLY)


def service_agreement_for(country: str) -> str | None:
    """`full`, `recipient`, or None when Stripe cannot pay creators there."""
    country = (country or "").upper()
    if country in FULL_SERVICE:
        return "full"
    if country in RECIPIENT_ONLY:
        return "recipient"
    return None
