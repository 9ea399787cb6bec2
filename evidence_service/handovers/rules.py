"""What a handover needs before its record can be final: the one home of the receiving
rules, asked by ``POST /handovers`` (refused, 422, when one fails), by the completion of an
implicit handover, and by the pages (what is still missing).

Sources (vn-legal-context.md): §2.1 and §2.2(1) (Law 2008 Art. 122; Circular 04/2023
Art. 10; Circular 01/2017 Art. 9): the head or his delegate or the enforcement officer, the
storekeeper and the accountant receive; the deliverer's name, position and papers are
checked; Decree 142/2024 Art. 14 adds the transfer decision, the initial seizure record and
the introduction letter. §2.2(2–3), §2.3(2): items are compared with the initial seizure
record, and a difference is accepted only once clarified. §2.2(4), §2.3(3): drugs only
sealed and with a forensic conclusion; a torn or suspicious seal only with a new one.
§2.3 (Decree 152/2026 Art. 37, from 01/07/2026): a handover in place, where an outside
custodian keeps the items and goes on keeping them: the enforcement officer inventories and
receives them there, and signs the record with the custodian's representative.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from ..legal import deadlines
from ..models import Category, LegalRegime, ReceiverRole, SealState

SEALED = frozenset({SealState.intact, SealState.broken, SealState.suspicious})
# A seal in these states is accepted only with a new forensic conclusion (§2.2(4), §2.3(3)).
DOUBTFUL_SEALS = frozenset({SealState.broken, SealState.suspicious})
# Categories accepted only sealed and with a forensic conclusion (§2.2(4): drugs). Other
# sealed packages: "only with a forensic conclusion" too in the text; whether that binds
# every sealed item (a sealed phone) is to be confirmed, so it is not enforced here.
CONCLUSION_REQUIRED = frozenset({Category.drug})
# Who must receive: one of each group (Law 2008 Art. 122; Circular 04/2023 Art. 10(1)).
RECEIVING_GROUPS: tuple[tuple[str, frozenset[ReceiverRole]], ...] = (
    ("officer_or_head", frozenset({ReceiverRole.officer, ReceiverRole.head})),
    ("keeper", frozenset({ReceiverRole.keeper})),
    ("accountant", frozenset({ReceiverRole.accountant})),
)
DELIVERER_FIELDS = ("name", "position", "agency", "id_document")
# A handover in place (Decree 152/2026 Art. 37(2), (4)): the enforcement officer
# inventories, receives and signs (with THADS's stamp); the custodian's representative signs
# for the custodian (with its stamp), so he is named with his position; the custodian, not a
# deliverer with an introduction letter, hands the items over. Whether the storekeeper and
# the accountant must also take part in place is to be confirmed (Art. 37 names only the
# officer; the accountant keeps a copy, Art. 37(4)): they are not required here.
IN_PLACE_RECEIVING: tuple[tuple[str, frozenset[ReceiverRole]], ...] = (
    ("officer", frozenset({ReceiverRole.officer})),
)
CUSTODIAN_FIELDS = ("name", "representative", "position")
# The words of the problems only a handover in place has (the others: handover_missing).
IN_PLACE_CODES = frozenset(
    {"receiver_officer", *(f"custodian_{name}" for name in CUSTODIAN_FIELDS)}
)


def regime_at(moment: datetime) -> LegalRegime:
    """The rules a handover at ``moment`` follows (vn-legal-context §2.2 to 30/06/2026,
    §2.3 from then)."""
    return deadlines.regime_at(moment)


def in_place(custodian: Mapping[str, object] | None, moment: datetime) -> bool:
    """A handover in place: its items stay with an outside custodian, under the rules from
    01/07/2026 (Decree 152/2026 Art. 37). Before then the same handover follows the old
    rules (a deliverer hands over to the receiving side, Circular 04/2023 Art. 10)."""
    return bool(custodian) and regime_at(moment) == LegalRegime.from_2026_07_01


def words(code: str) -> str:
    """The translation key of a problem's sentence."""
    return f"custody15_missing.{code}" if code in IN_PLACE_CODES else f"handover_missing.{code}"


@dataclass(frozen=True)
class Problem:
    """One thing a final record lacks: the field, a code (its words are
    ``handover_missing.<code>``) and the English detail the API gives."""

    field: str
    code: str
    message: str


@dataclass(frozen=True)
class LineFacts:
    category: str
    seal_number: str | None
    # None: not stated (a plain intake took "intact" from a typed number; a record may not)
    seal_state: SealState | None
    matches: bool
    difference: str
    has_own_conclusion: bool


@dataclass(frozen=True)
class HandoverFacts:
    place: str
    deliverer: dict[str, str]
    receiver_roles: frozenset[ReceiverRole]
    acts: frozenset[str]
    resolution: str
    # Every item's case already has a judgment: the judgment is the basis, no transfer
    # decision is needed (Law 2008 Art. 122: evidence sent with the judgment).
    judged: bool
    # A handover in place (``in_place``) and its custodian (name, representative, position).
    in_place: bool = False
    custodian: Mapping[str, str] = field(default_factory=dict)


def problems(handover: HandoverFacts, lines: Sequence[LineFacts]) -> list[Problem]:
    """Everything that keeps the handover from being final; empty when it may be."""
    found: list[Problem] = []
    if not handover.place.strip():
        found.append(Problem("place", "place", "say where the handover takes place"))
    if handover.in_place:
        for name in CUSTODIAN_FIELDS:
            if not str(handover.custodian.get(name) or "").strip():
                found.append(
                    Problem(
                        f"custodian.{name}",
                        f"custodian_{name}",
                        f"a handover in place names the custodian's {name}",
                    )
                )
    for name in () if handover.in_place else DELIVERER_FIELDS:
        if not handover.deliverer.get(name, "").strip():
            found.append(
                Problem(
                    f"deliverer.{name}", f"deliverer_{name}", f"the deliverer's {name} is missing"
                )
            )
    for group, roles in IN_PLACE_RECEIVING if handover.in_place else RECEIVING_GROUPS:
        if not handover.receiver_roles & roles:
            found.append(
                Problem(
                    "receivers",
                    f"receiver_{group}",
                    f"the receiving side needs a {' or '.join(sorted(roles))}",
                )
            )
    if "seizure_record" not in handover.acts:
        found.append(
            Problem("acts.seizure_record", "seizure_record", "refer to the initial seizure record")
        )
    if not handover.judged and "transfer_decision" not in handover.acts:
        found.append(
            Problem(
                "acts.transfer_decision",
                "transfer_decision",
                "refer to the transfer decision (the case has no judgment yet)",
            )
        )
    general_conclusion = "forensic_conclusion" in handover.acts
    for n, line in enumerate(lines):
        at = f"items.{n}"
        if line.seal_number and line.seal_state is None:
            found.append(
                Problem(f"{at}.seal_state", "seal_state", "say the seal's state as received")
            )
        if line.seal_state in SEALED and not line.seal_number:
            found.append(Problem(f"{at}.seal_number", "seal_number", "a seal needs its number"))
        if line.seal_state in DOUBTFUL_SEALS and not line.has_own_conclusion:
            found.append(
                Problem(
                    f"{at}.forensic_conclusion",
                    "new_conclusion",
                    f"a {line.seal_state} seal is accepted only with a new forensic conclusion",
                )
            )
        if line.category in CONCLUSION_REQUIRED:
            if line.seal_state not in SEALED:
                found.append(
                    Problem(f"{at}.seal_state", "drug_sealed", "drugs are accepted only sealed")
                )
            if not (general_conclusion or line.has_own_conclusion):
                found.append(
                    Problem(
                        f"{at}.forensic_conclusion",
                        "drug_conclusion",
                        "drugs are accepted only with the forensic conclusion",
                    )
                )
        if not line.matches and not line.difference.strip():
            found.append(
                Problem(
                    f"{at}.difference", "difference", "say what differs from the seizure record"
                )
            )
    if any(not line.matches for line in lines) and not handover.resolution.strip():
        found.append(
            Problem(
                "resolution",
                "resolution",
                "a difference from the seizure record is accepted only once clarified: say how",
            )
        )
    return found
