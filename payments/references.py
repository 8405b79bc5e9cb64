"""Payment references producers write on a bank transfer: CIPX-XXXX-XXXC.

Seven random characters from Crockford's base-32 alphabet (no I, L, O or U,
so nothing reads as another character) give 32**7 ≈ 3.4e10 possibilities:
a reference cannot be guessed, and an invoice is only shown to the deal's
parties anyway. The eighth character is a Luhn mod-32 check character, which
catches any single mistyped character and most swaps of neighbours, so staff
matching a bank statement are told about a typo instead of missing a payment.
Fourteen characters fit the short memo field of a Korean bank transfer.
"""

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "CIPX"
RANDOM_CHARS = 7
# Crockford's decoding of look-alikes, for references read off a statement.
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SHAPE = re.compile(rf"^{PREFIX}([{ALPHABET}]{{8}})$")


def check_char(body: str) -> str:
    """Luhn mod N over the alphabet (N = 32)."""
    n = len(ALPHABET)
    total, factor = 0, 2
    for char in reversed(body):
        addend = factor * ALPHABET.index(char)
        total += addend // n + addend % n
        factor = 1 if factor == 2 else 2
    return ALPHABET[(n - total % n) % n]


def reference_new() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_CHARS))
    code = body + check_char(body)
    return f"{PREFIX}-{code[:4]}-{code[4:]}"


def reference_normalize(text: str) -> str | None:
    """The reference as printed (CIPX-XXXX-XXXX) for what someone typed or a bank
    statement shows (any case, spaces or dashes, O for 0, I or L for 1); None when
    it is not one or its check character does not match."""
    compact = re.sub(r"[\s\-_.]", "", (text or "").upper()).translate(_LOOKALIKES)
    if compact.startswith("C1PX"):  # the prefix's own I went through the look-alike map
        compact = PREFIX + compact[4:]
    match = _SHAPE.match(compact)
    if not match:
        return None
    code = match.group(1)
    if check_char(code[:-1]) != code[-1]:
        return None
    return f"{PREFIX}-{code[:4]}-{code[4:]}"
