"""serve --https: a self-signed certificate made once for the host's names and addresses."""

import os
import socket
import ssl
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
from cryptography import x509

from evidence_service.cli.server import tls_names, trust_instructions
from evidence_service.tls import ensure_certificate, fingerprint
from tests.conftest import LIVE_SECRET, TEST_KEY_FILE


def test_the_certificate_is_made_once_and_remade_for_a_new_name(tmp_path: Path):
    names, addresses = tls_names("192.168.1.20", ["kho.local"])
    first = ensure_certificate(tmp_path, names, addresses)
    assert first.created
    cert = x509.load_pem_x509_certificate(first.cert_path.read_bytes())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert {"localhost", "kho.local", socket.gethostname()} <= set(
        san.get_values_for_type(x509.DNSName)
    )
    assert {str(a) for a in san.get_values_for_type(x509.IPAddress)} >= {
        "127.0.0.1",
        "192.168.1.20",
    }
    assert stat.S_IMODE(first.key_path.stat().st_mode) == 0o600
    assert first.fingerprint == fingerprint(cert) and len(first.fingerprint) == 95
    again = ensure_certificate(tmp_path, names, addresses)
    assert not again.created and again.fingerprint == first.fingerprint
    wider = ensure_certificate(tmp_path, [*names, "kho2.local"], addresses)
    assert wider.created and wider.fingerprint != first.fingerprint
    text = "\n".join(trust_instructions(wider, 8443))
    assert wider.fingerprint in text and "https://192.168.1.20:8443/" in text


def test_serve_https_answers_with_the_certificate_it_printed(tmp_path: Path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "EVIDENCE_DATABASE_URL": f"sqlite:///{tmp_path / 'ev.db'}",
        "EVIDENCE_SECRET_KEY": LIVE_SECRET,
        "EVIDENCE_SIGNING_KEY_FILE": str(TEST_KEY_FILE),
    }
    env.pop("EVIDENCE_DEMO", None)
    command = [
        sys.executable,
        "-m",
        "evidence_service.cli",
        "serve",
        "--https",
        "--port",
        str(port),
    ]
    command += ["--tls-dir", str(tmp_path / "tls")]
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        deadline, answer = time.monotonic() + 60, None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                context = ssl.create_default_context(
                    cafile=str(tmp_path / "tls" / "evidence-https.crt")
                )
                answer = httpx.get(f"https://localhost:{port}/healthz", verify=context, timeout=2)
                break
            except (httpx.HTTPError, FileNotFoundError, ssl.SSLError):
                time.sleep(0.3)
        assert answer is not None and answer.status_code == 200
    finally:
        server.terminate()
        out, _ = server.communicate(timeout=15)
    cert = x509.load_pem_x509_certificate((tmp_path / "tls" / "evidence-https.crt").read_bytes())
    assert fingerprint(cert) in out and "iPhone" in out
