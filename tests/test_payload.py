import pytest
import qrcode
from qrcode.util import MODE_ALPHA_NUM, QRData

from evidence_service.payload import (
    ALPHABET,
    DamagedPayload,
    PayloadError,
    ScannedPayload,
    UnknownFormat,
    check_char,
    code_key,
    is_valid,
    is_valid_item_code,
    make_item_code,
    make_payload,
    make_qr_content,
    parse_scan,
)

QR_ALNUM_CHARSET = ALPHABET + " $%*+-./:"

SAMPLES = [
    make_payload("item", make_item_code(2026, 123)),
    make_payload("item", make_item_code(2025, 1)),
    make_payload("item", make_item_code(2031, 12345678)),
    make_payload("location", "KLS-A-03"),
    make_payload("location", "K1/R2/S03.B7"),
]


def test_check_char_is_in_the_36_char_alphabet_and_validates():
    for s in ["0", "Z", "EV1IVC26000123K", "A" * 40]:
        c = check_char(s)
        assert c in ALPHABET
        assert is_valid(s + c)


def test_check_char_rejects_non_alphanumeric_or_empty():
    for bad in ["", "ab", "A-B", "É"]:
        with pytest.raises(ValueError):
            check_char(bad)
    assert not is_valid("")
    assert not is_valid("A")
    assert not is_valid("ev1")


def test_payload_layout_for_item_code():
    assert code_key("vc26-000123-k") == "VC26000123K"
    p = make_payload("item", "VC26-000123-K")
    assert p == "EV1IVC26000123K" + check_char("EV1IVC26000123K")
    assert make_payload("I", "VC26-000123-K") == p
    assert make_payload("location", "Kệ".replace("ệ", "E")).startswith("EV1LKE")


def test_code_key_refuses_non_alphanumeric():
    for bad in ["", "VC26_0001", "Kệ A-03", "A#B", "---"]:
        with pytest.raises(ValueError):
            code_key(bad)
    with pytest.raises(ValueError):
        make_payload("batch", "X1")


def test_round_trip_of_samples():
    for p in SAMPLES:
        parsed = parse_scan(p)
        assert parsed.payload == p
        assert make_payload(parsed.kind, parsed.key) == p


@pytest.mark.parametrize("payload", SAMPLES)
def test_every_single_substitution_is_refused(payload):
    for i, original in enumerate(payload):
        for c in QR_ALNUM_CHARSET:
            if c == original:
                continue
            damaged = payload[:i] + c + payload[i + 1 :]
            with pytest.raises(PayloadError):
                parse_scan(damaged)


@pytest.mark.parametrize("payload", SAMPLES)
def test_every_adjacent_transposition_is_refused(payload):
    swaps = 0
    for i in range(len(payload) - 1):
        a, b = payload[i], payload[i + 1]
        if a == b:
            continue
        swaps += 1
        with pytest.raises(PayloadError):
            parse_scan(payload[:i] + b + a + payload[i + 2 :])
    assert swaps > 5


def test_damaged_and_unknown_are_told_apart_with_vietnamese_messages():
    p = SAMPLES[0]
    wrong_check = p[:-1] + ("0" if p[-1] != "0" else "1")
    with pytest.raises(DamagedPayload) as damaged:
        parse_scan(wrong_check)
    assert damaged.value.message_vi == "Nhãn bị hỏng hoặc nhập sai"
    assert isinstance(damaged.value, ValueError)
    for other in ["EV9IVC26000123K5", "4006381333931", "hello", "", "EV"]:
        with pytest.raises(UnknownFormat) as unknown:
            parse_scan(other)
        assert unknown.value.message_vi
    # A well-formed label of a kind this build does not know is "unknown", not "damaged".
    future = "EV1B123" + check_char("EV1B123")
    with pytest.raises(UnknownFormat):
        parse_scan(future)


@pytest.mark.parametrize(
    "decorate",
    [
        lambda p: p,
        lambda p: f"  {p}  ",
        lambda p: p + "\r\n",
        lambda p: p + "\n",
        lambda p: p + "\t",
        lambda p: p.lower(),
        lambda p: "]Q1" + p,
        lambda p: "]q1" + p.lower() + "\r",
        lambda p: "]d2" + p,
        lambda p: make_qr_content(p, "https://ev.example.vn/s"),
        lambda p: make_qr_content(p, "HTTPS://EV.EXAMPLE.VN/S/"),
        lambda p: "https://ev.example.vn/s/" + p + "?src=qr#top",
        lambda p: "https://ev.example.vn/s/" + p + "/",
        lambda p: "]Q1https://ev.example.vn/s/" + p.lower() + "\r\n",
    ],
)
def test_scanner_quirks_are_accepted(decorate):
    for p in SAMPLES:
        parsed = parse_scan(decorate(p))
        assert isinstance(parsed, ScannedPayload)
        assert parsed.payload == p


def test_make_qr_content():
    assert make_qr_content("EV1X", None) == "EV1X"
    assert make_qr_content("EV1X", "") == "EV1X"
    assert make_qr_content("EV1X", "https://a.vn/s//") == "https://a.vn/s/EV1X"


@pytest.mark.parametrize("ec", [qrcode.constants.ERROR_CORRECT_M, qrcode.constants.ERROR_CORRECT_Q])
def test_typical_item_payload_is_small_alphanumeric_qr(ec):
    qr = qrcode.QRCode(error_correction=ec, border=0, mask_pattern=0)
    qr.add_data(QRData(SAMPLES[0].encode()))
    qr.make(fit=True)
    assert qr.version in (1, 2)
    assert [d.mode for d in qr.data_list] == [MODE_ALPHA_NUM]


def test_item_codes():
    code = make_item_code(2026, 123)
    assert code.startswith("VC26-000123-")
    assert code[-1] == check_char("VC26000123")
    assert is_valid_item_code(code)
    assert make_item_code(26, 123) == code
    long_code = make_item_code(2026, 12345678)
    assert long_code.startswith("VC26-12345678-")
    assert is_valid_item_code(long_code)
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    for bad in [wrong, "VC26-000123", "VC26000123" + code[-1], "VC26-00123-" + code[-1], ""]:
        assert not is_valid_item_code(bad)
    with pytest.raises(ValueError):
        make_item_code(2026, -1)
