"""Which Stripe Connect account a creator gets, by the country they live in.

Korea is not a country a Stripe platform can be based in, so Korean creators
cannot get a `full` account of their own; they get an Express account under
the `recipient` service agreement, which can only receive transfers from the
platform (cross-border payouts) and is paid out to a Korean bank account.
Creators in countries Stripe fully supports get an ordinary Express account
(`full` agreement). Cross-border payouts work with separate charges and
transfers without on_behalf_of in every country that has them (destination
charges are not allowed for some, e.g. India), which is why the exchange
charges on the platform and transfers the creator's share afterwards.

Sources: docs.stripe.com/connect/service-agreement-types,
docs.stripe.com/connect/cross-border-payouts (and its country-specific
considerations). Stripe's lists change; this table is the one place to update.
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


def service_agreement_for(country: str) -> str | None:
    """`full`, `recipient`, or None when Stripe cannot pay creators there."""
    country = (country or "").upper()
    if country in FULL_SERVICE:
        return "full"
    if country in RECIPIENT_ONLY:
        return "recipient"
    return None
