"""The custody record's signing keys: Ed25519, kept outside the database.

The service signs with the private key in the file ``EVIDENCE_SIGNING_KEY_FILE`` names; the
public keys live beside it in ``<file>.pub``, one line per key ever used
(``ed25519 <key id> <base64 public key>``), so rotation keeps the old ones and an auditor
needs only that file to check a backup: it can verify, it cannot sign. A key's id is the
first 16 hex digits of the SHA-256 of its public key; every event names the key that signed
it.
"""

import base64
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


class KeyFileError(RuntimeError):
    """A key file is missing, unreadable, or would be overwritten."""


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


@dataclass(frozen=True)
class SigningKey:
    private: Ed25519PrivateKey
    key_id: str

    @classmethod
    def generate(cls) -> "SigningKey":
        private = Ed25519PrivateKey.generate()
        return cls(private, key_id(private.public_key()))

    def sign(self, message: str) -> str:
        return base64.b64encode(self.private.sign(message.encode())).decode()

    def public_line(self) -> str:
        raw = self.private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return f"ed25519 {self.key_id} {base64.b64encode(raw).decode()}\n"


@dataclass
class Keyring:
    """The public keys a verifier trusts, by key id."""

    keys: dict[str, Ed25519PublicKey] = field(default_factory=dict)

    def add(self, public: Ed25519PublicKey) -> None:
        self.keys[key_id(public)] = public

    def verify(self, kid: str | None, message: str, signature: str | None) -> str | None:
        """None if ``signature`` is ``kid``'s over ``message``, else what is wrong."""
        if kid is None or signature is None:
            return "not signed"
        public = self.keys.get(kid)
        if public is None:
            return f"signed with key {kid}, which is not among the trusted public keys"
        try:
            public.verify(base64.b64decode(signature), message.encode())
        except (InvalidSignature, ValueError):
            return f"signature does not match (key {kid})"
        return None

    @classmethod
    def read(cls, path: Path) -> "Keyring":
        ring = cls()
        try:
            lines = path.read_text().splitlines()
        except OSError as exc:
            raise KeyFileError(f"cannot read public keys {path}: {exc}") from None
        for n, line in enumerate(lines, 1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split()
            try:
                public = Ed25519PublicKey.from_public_bytes(base64.b64decode(parts[2]))
            except (IndexError, ValueError):
                raise KeyFileError(f"{path}:{n}: not an 'ed25519 <id> <key>' line") from None
            if parts[0] != "ed25519" or parts[1] != key_id(public):
                raise KeyFileError(f"{path}:{n}: the key id does not match the key")
            ring.add(public)
        return ring


def public_path(private_path: Path) -> Path:
    return private_path.with_name(private_path.name + ".pub")


def read_signing_key(path: Path) -> SigningKey:
    try:
        private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise KeyFileError(f"cannot read the signing key {path}: {exc}") from None
    if not isinstance(private, Ed25519PrivateKey):
        raise KeyFileError(f"{path} is not an Ed25519 private key")
    return SigningKey(private, key_id(private.public_key()))


def create_key_file(path: Path, rotate: bool = False) -> SigningKey:
    """Write a new key pair: the private key to ``path`` (mode 0600), its public key added
    to ``<path>.pub``. Refuses to overwrite a key, unless rotating: then the old private key
    is kept as ``<path>.<key id>.retired`` and its public key stays in the ``.pub`` file."""
    if path.exists():
        if not rotate:
            raise KeyFileError(f"{path} exists: a signing key is never overwritten (use --rotate)")
        old = read_signing_key(path)
        path.rename(path.with_name(f"{path.name}.{old.key_id}.retired"))
    elif rotate:
        raise KeyFileError(f"{path} does not exist: nothing to rotate")
    key = SigningKey.generate()
    pem = key.private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    with public_path(path).open("a") as pub:
        pub.write(key.public_line())
    return key


# The process's signing key and the public keys it trusts: installed once at start
# (``install``), by the service, the commands and the tests.
_installed: dict[str, object] = {}


def install(key: SigningKey | None, ring: Keyring | None = None) -> None:
    if ring is None:
        ring = Keyring()
    if key is not None:
        ring.add(key.private.public_key())
    _installed["key"] = key
    _installed["ring"] = ring


def install_from_file(path: Path) -> SigningKey:
    key = read_signing_key(path)
    pub = public_path(path)
    install(key, Keyring.read(pub) if pub.exists() else None)
    return key


def signer() -> SigningKey:
    key = _installed.get("key")
    if not isinstance(key, SigningKey):
        raise KeyFileError(
            "no signing key: set EVIDENCE_SIGNING_KEY_FILE to a key made by "
            "`evidence-service keys create`"
        )
    return key


def keyring() -> Keyring:
    ring = _installed.get("ring")
    return ring if isinstance(ring, Keyring) else Keyring()


def setup(key_file: Path | None, public_file: Path | None, required: bool) -> None:
    """Install the configured key (and the public keys, from ``public_file`` or beside the
    key). ``required``: refuse (``KeyFileError``) when no key is configured or installed."""
    if key_file is not None:
        install_from_file(key_file)
    if public_file is not None:
        ring = Keyring.read(public_file)
        current = _installed.get("key")
        install(current if isinstance(current, SigningKey) else None, ring)
    if required:
        signer()


DEMO_KEY_FILE = Path("evidence-demo-signing.key")
