"""The browser's copy of the payload rules (web/static/payload.js) agrees with payload.py.

The page recognises labels without the server (offline scans), so both must accept and refuse
exactly the same inputs. Node runs the script; without node the test is skipped with the reason.
"""

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from evidence_service import payload
from evidence_service.web import STATIC_DIR

NODE = shutil.which("node")
RUNNER = """
const p = require(process.argv[2]);
const inputs = JSON.parse(require("fs").readFileSync(0, "utf8"));
const out = inputs.map((raw) => {
  try { const r = p.parse(raw); return [r.kind, r.key]; }
  catch (e) { return [e.type || "error", ""]; }
});
const checks = inputs.filter((s) => /^[0-9A-Z]+$/.test(s)).map((s) => [s, p.checkChar(s)]);
process.stdout.write(JSON.stringify({out, checks}));
"""


def python_answer(raw: str) -> list[str]:
    try:
        scanned = payload.parse_scan(raw)
    except payload.DamagedPayload:
        return ["damaged_label", ""]
    except payload.PayloadError:
        return ["not_a_label", ""]
    return [scanned.kind, scanned.key]


def corpus() -> list[str]:
    rng = random.Random(17)
    good = [payload.make_payload("item", payload.make_item_code(2026, n)) for n in (1, 42, 999999)]
    good += [payload.make_payload("location", c) for c in ("S2", "K1-A-03", "EV1LLS1P1K02")]
    out = list(good)
    for p in good:
        out += [p.lower(), f"]Q1{p}\r\n", f"HTTPS://EV.EXAMPLE.VN/S/{p}?x=1", f"  {p}\t"]
        for i in range(3, len(p)):  # every single substitution is caught by the check
            out.append(p[:i] + rng.choice([c for c in payload.ALPHABET if c != p[i]]) + p[i + 1 :])
        out.append(p[:4] + p[5] + p[4] + p[6:])  # an adjacent transposition
    out += ["", "EV", "EV2IABC", "EV1", "EV1X", "hello", "4006381333931", "EV1Q" + "A" * 5]
    kind_q = "EV1QABC"
    out.append(kind_q + payload.check_char(kind_q))  # well-formed, unknown kind
    letters = payload.ALPHABET
    out += ["".join(rng.choice(letters) for _ in range(rng.randint(3, 14))) for _ in range(300)]
    out += ["EV1I" + "".join(rng.choice(payload.ALPHABET) for _ in range(9)) for _ in range(300)]
    return out


@pytest.mark.skipif(NODE is None, reason="node is not installed (apt-get install nodejs)")
def test_the_browser_reads_every_label_exactly_as_the_server_does(tmp_path: Path):
    inputs = corpus()
    script = tmp_path / "run.js"
    script.write_text(RUNNER)
    done = subprocess.run(
        [str(NODE), str(script), str(STATIC_DIR / "payload.js")],
        input=json.dumps(inputs),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    result = json.loads(done.stdout)
    expected = [python_answer(raw) for raw in inputs]
    mismatches = [
        (raw, js, py)
        for raw, js, py in zip(inputs, result["out"], expected, strict=True)
        if js != py
    ]
    assert not mismatches, mismatches[:5]
    assert {k for k, _ in expected} >= {"item", "location", "damaged_label", "not_a_label"}
    for s, check in result["checks"]:
        assert check == payload.check_char(s), s
