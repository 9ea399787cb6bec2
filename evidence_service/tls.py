"""A self-signed certificate for HTTPS on a LAN: phones open the camera only on a secure page
(HTTPS, or localhost on the phone itself), so the scan page needs HTTPS on the warehouse's
network even without a public name.

:func:`ensure_certificate` makes the key and certificate once (ECDSA P-256, ten years, for the
host's names and addresses) and reuses them while they still cover the names asked for; a
phone trusts the certificate once, checked by its SHA-256 fingerprint.
"""

import ipaddress
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

CERT_FILE = "evidence-https.crt"
KEY_FILE = "evidence-https.key"
VALID_DAYS = 3650

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Certificate:
    cert_path: Path
    key_path: Path
    fingerprint: str  # SHA-256, "AB:CD:…"
    names: list[str]
    addresses: list[str]
    created: bool


def host_names_and_addresses(extra: list[str] | None = None) -> tuple[list[str], list[IPAddress]]:
    """The names this host answers to and its addresses (asked of the resolver only: nothing
    is sent on the network), plus ``extra`` (names or addresses given by the operator)."""
    names = ["localhost"]
    addresses: list[IPAddress] = [ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")]
    hostname = socket.gethostname()
    for name in (hostname, socket.getfqdn(), f"{hostname}.local"):
        if name and name not in names:
            names.append(name)
    try:
        found = {str(info[4][0]) for info in socket.getaddrinfo(hostname, None)}
    except OSError:
        found = set()
    for value in [*sorted(found), *(extra or [])]:
        try:
            address = ipaddress.ip_address(value.split("%")[0])
        except ValueError:
            if value not in names:
                names.append(value)
            continue
        if address not in addresses and not address.is_link_local:
            addresses.append(address)
    return names, addresses


def fingerprint(cert: x509.Certificate) -> str:
    return ":".join(f"{b:02X}" for b in cert.fingerprint(hashes.SHA256()))


def _covers(cert: x509.Certificate, names: list[str], addresses: list[IPAddress]) -> bool:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    have_names = set(san.get_values_for_type(x509.DNSName))
    have_addresses = set(san.get_values_for_type(x509.IPAddress))
    fresh = cert.not_valid_after_utc > datetime.now(UTC) + timedelta(days=30)
    return fresh and set(names) <= have_names and set(addresses) <= have_addresses


def _make(names: list[str], addresses: list[IPAddress]) -> tuple[bytes, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, names[-1] if names else "localhost"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Evidence service (self-signed)"),
        ]
    )
    now = datetime.now(UTC)
    san = [x509.DNSName(n) for n in names] + [x509.IPAddress(a) for a in addresses]
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName(san), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


def ensure_certificate(folder: Path, names: list[str], addresses: list[IPAddress]) -> Certificate:
    """The certificate in ``folder``, made now if there is none or it no longer covers every
    name and address (or expires within 30 days). The key file is readable by its owner only."""
    folder.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = folder / CERT_FILE, folder / KEY_FILE
    created = False
    cert = None
    if cert_path.exists() and key_path.exists():
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        if not _covers(cert, names, addresses):
            cert = None
    if cert is None:
        cert_pem, key_pem = _make(names, addresses)
        key_path.touch(mode=0o600, exist_ok=True)
        key_path.chmod(0o600)
        key_path.write_bytes(key_pem)
        cert_path.write_bytes(cert_pem)
        cert = x509.load_pem_x509_certificate(cert_pem)
        created = True
    return Certificate(
        cert_path, key_path, fingerprint(cert), names, [str(a) for a in addresses], created
    )
