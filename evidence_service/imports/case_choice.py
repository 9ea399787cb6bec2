"""Which case a ledger row belongs to.

A row whose judgment number matches no case creates the case when the row also gives the
court and the enforcement decision number (the decision year from the decision date or the
number itself); otherwise the row is reported (unknown_case). Rows of one file that create the
same case must agree on its court and decision.
"""

import re
from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, col, select

from ..auth import can
from ..cases import JUDGMENT_PATTERN, CaseCreate
from ..legal.deadlines import regime_on
from ..models import Agency, Case, User
from .checked import ParsedRow, Sheet, invalid_value
from .reader import cell_text
from .values import Problem, parse_date

_YEAR_IN_NUMBER = re.compile(r"(?:^|/)((?:19|20)\d{2})(?:/|$)")


class CaseChooser:
    """Remembers the cases found and the cases to create across the chunks of one file."""

    def __init__(
        self, session: Session, actor: User, scope: set[int], sheet: Sheet, today: date
    ) -> None:
        self.session = session
        self.scope = scope
        self.sheet = sheet
        self.today = today
        self.may_create_cases = can(actor, "manage_cases")
        agency = session.get(Agency, actor.agency_id)
        self.issuer = agency.name if agency else ""
        self.cases: dict[str, list[Case]] = {}
        self.new_cases: dict[str, tuple[CaseCreate, int]] = {}  # judgment → (case, first row)

    def load(self, judgments: set[Any]) -> None:
        """Fetch the cases of a chunk's judgment numbers at once, not one query a row."""
        wanted = [cell_text(j) for j in judgments if cell_text(j) not in self.cases]
        for start in range(0, len(wanted), 500):
            part = wanted[start : start + 500]
            found = self.session.exec(
                select(Case).where(
                    col(Case.judgment_number).in_(part), col(Case.agency_id).in_(self.scope)
                )
            ).all()
            for judgment in part:
                self.cases[judgment] = []
            for case in found:
                self.cases[case.judgment_number or ""].append(case)  # type: ignore[attr-defined]

    def choose(self, row: ParsedRow, judgment: str) -> None:
        """Set the row's case (or the case it creates), or record why there is none."""
        matches = self.cases.get(judgment, [])
        if len(matches) == 1:
            row.case_id = matches[0].id
            if row.location is None:
                row.agency_id = matches[0].agency_id
            return
        if len(matches) > 1:
            self.sheet.error(
                row,
                "judgment_number",
                "ambiguous_case",
                f"several cases have judgment number '{judgment}'",
                "imports15_rows.ambiguous_case",
                {"judgment": judgment},
            )
            return
        new = self._new_case(row, judgment)
        if new is None:
            return
        known = self.new_cases.get(judgment)
        if known is None:
            self.new_cases[judgment] = (new, row.number)
        elif (known[0].court, known[0].decision_number) != (new.court, new.decision_number) and (
            "court" in row.values or "decision_number" in row.values
        ):
            self.sheet.error(
                row,
                "judgment_number",
                "case_conflict",
                f"judgment '{judgment}' has another court or decision on row {known[1]}",
                "imports15_rows.case_conflict",
                {"judgment": judgment, "row": known[1]},
            )
            return
        row.new_case = judgment

    def _new_case(self, row: ParsedRow, judgment: str) -> CaseCreate | None:
        known = self.new_cases.get(judgment)
        values = row.values
        header = self.sheet.header
        if "court" not in values or "decision_number" not in values:
            if known is not None:
                return known[0]
            self.sheet.error(
                row,
                "judgment_number",
                "unknown_case",
                f"no case has judgment number '{judgment}'; create the case first, or "
                f"give '{header('court')}' and '{header('decision_number')}'"
                " so the import creates it",
                "imports15_rows.unknown_case",
                {
                    "judgment": judgment,
                    "court": header("court"),
                    "decision": header("decision_number"),
                },
            )
            return None
        if not self.may_create_cases:
            self.sheet.error(
                row,
                "judgment_number",
                "unknown_case",
                f"no case has judgment number '{judgment}' and you may not create cases",
                "imports15_rows.unknown_case_may_not_create",
                {"judgment": judgment},
            )
            return None
        number = cell_text(values["decision_number"])
        year = None
        decided: date | None = None
        if "decision_date" in values:
            try:
                decided = parse_date(values["decision_date"], self.today)
                year = decided.year
            except Problem as p:
                self.sheet.error(row, "decision_date", p.kind, p.message, p.key, p.params)
                return None
        elif m := _YEAR_IN_NUMBER.search(number):
            year = int(m.group(1))
        if year is None:
            self.sheet.error(
                row,
                "decision_number",
                "unknown_case",
                f"cannot tell the year of decision '{number}': add '{header('decision_date')}'",
                "imports15_rows.decision_year",
                {"number": number, "header": header("decision_date")},
            )
            return None
        received = row.item.get("received_at")
        since = decided or (received.date() if received else self.today)
        try:
            case = CaseCreate(
                judgment_number=judgment,
                court=cell_text(values["court"]),
                decision_issuer=cell_text(values.get("decision_issuer", "")) or self.issuer,
                decision_year=year,
                decision_number=number,
                legal_regime=regime_on(since),
                disposition=row.item.get("disposition") or "pending",
            )
        except ValidationError as exc:
            where = {
                "judgment_number": "judgment_number",
                "decision_number": "decision_number",
                "court": "court",
                "decision_issuer": "decision_issuer",
            }
            for e in exc.errors():
                name = where.get(str(e["loc"][0]) if e["loc"] else "", "judgment_number")
                hint = f" (like {JUDGMENT_PATTERN})" if name == "judgment_number" else ""
                self.sheet.error(
                    row,
                    name,
                    "unknown_case",
                    f"cannot create the case: {e['msg']}{hint}",
                    *invalid_value(e, "imports15_rows.case_not_created"),
                )
            return None
        if known is None:
            clash = self.session.exec(
                select(Case.judgment_number).where(
                    Case.decision_issuer == case.decision_issuer,
                    Case.decision_year == case.decision_year,
                    Case.decision_number == case.decision_number,
                )
            ).first()
            if clash is not None:
                self.sheet.error(
                    row,
                    "decision_number",
                    "case_conflict",
                    f"decision {number}/{year} is already recorded for judgment '{clash}'",
                    "imports15_rows.decision_taken",
                    {"number": number, "year": year, "judgment": clash},
                )
                return None
        return case
