"""The signing keys: created once, never overwritten, rotated with the old public key kept;
the service does not start without one."""

import pytest
from typer.testing import CliRunner

from evidence_service import keys
from evidence_service.app import create_app
from evidence_service.cli import app as cli
from evidence_service.config import Settings, get_settings

runner = CliRunner()


def _keys(*args: str):
    get_settings.cache_clear()
    try:
        return runner.invoke(cli, ["keys", *args])
    finally:
        get_settings.cache_clear()


def test_keys_create_writes_a_pair_and_refuses_to_overwrite(tmp_path):
    path = tmp_path / "signing.key"
    made = _keys("create", "--file", str(path))
    assert made.exit_code == 0, made.output
    assert path.stat().st_mode & 0o777 == 0o600
    key = keys.read_signing_key(path)
    assert key.key_id in keys.public_path(path).read_text() and key.key_id in made.output
    before = path.read_bytes()
    again = _keys("create", "--file", str(path))
    assert again.exit_code == 1 and "never overwritten" in again.output
    assert path.read_bytes() == before


def test_rotation_keeps_the_old_public_key(tmp_path):
    path = tmp_path / "signing.key"
    old = keys.create_key_file(path)
    message = "evidence-chain:1:" + "a" * 64
    signed_by_old = old.sign(message)
    assert _keys("rotate", "--file", str(path)).exit_code == 0
    new = keys.read_signing_key(path)
    ring = keys.Keyring.read(keys.public_path(path))
    assert new.key_id != old.key_id and set(ring.keys) == {old.key_id, new.key_id}
    assert ring.verify(old.key_id, message, signed_by_old) is None
    assert ring.verify(new.key_id, message, signed_by_old) is not None  # another key's
    assert (tmp_path / f"signing.key.{old.key_id}.retired").exists()


def test_the_service_refuses_to_start_without_a_key(tmp_path):
    current = keys.signer()
    keys.install(None)
    try:
        with pytest.raises(keys.KeyFileError, match="EVIDENCE_SIGNING_KEY_FILE"):
            create_app(Settings(demo=True))
        with pytest.raises(keys.KeyFileError, match="cannot read"):
            create_app(Settings(demo=True, signing_key_file=tmp_path / "missing.key"))
        path = tmp_path / "signing.key"
        keys.create_key_file(path)
        create_app(Settings(demo=True, signing_key_file=path))  # starts with one
        assert keys.signer().key_id == keys.read_signing_key(path).key_id
    finally:
        keys.install(current)
