"""Two-factor sign-in with an authenticator app (TOTP, RFC 6238, 30-second codes).

A user enrols in two steps: a new secret is proposed (shown as an ``otpauth://`` link the
app reads from a QR code) and becomes theirs only once they give a code it makes, so a typo
in the app cannot lock them out. :func:`verify` accepts the codes of the previous, current
and next 30 seconds (clock drift between phone and server).
"""

import pyotp

ISSUER = "Kho vat chung"


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def verify(secret: str, code: str) -> bool:
    code = (code or "").strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return False
    return bool(pyotp.TOTP(secret).verify(code, valid_window=1))


def current_code(secret: str) -> str:
    """The code the app shows now (tests, the demo)."""
    return str(pyotp.TOTP(secret).now())
