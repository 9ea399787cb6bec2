"""What a label says: the fields of an item or a location, worded and formatted in Vietnamese.

Every field a template may print (``templates.FIELD_NAMES``) is filled here; the template
chooses which it prints and how large. The words come from the ``label``, ``labels_print``,
``category``, ``unit``, ``kind`` and ``seal`` keys of the translation files; numbers and dates
go through the Vietnamese formatter.
"""

from __future__ import annotations

from collections.abc import Iterable

from .. import payload
from ..i18n import Translator
from ..models import Case, Item, Location
from .layout import LabelData

# Labels are printed in Vietnamese, whoever prints them.
LABEL_LANG = Translator("vi")


def printable_hazards(classes: Iterable[str]) -> list[str]:
    # The diamond marker is for UN dangerous-goods classes ("1.4G", "3", "6.1"); the non-UN
    # groups (narcotics, weapons, cash) are already said by the title and the secure marker.
    return [c for c in classes if c[:1].isdigit()]


def preview_mark() -> str:
    return LABEL_LANG("labels_print.preview")


def item_fields(
    item: Item, case: Case, location: Location | None, deliverer_agency: str = ""
) -> dict[str, str]:
    t = LABEL_LANG
    seal_state = t.maybe(f"labels_print.seal_state_{item.seal_state}", str(item.seal_state))
    seal = (
        t("labels_print.seal", number=item.seal_number, state=seal_state)
        if item.seal_number
        else t("labels_print.no_seal")
    )
    # The case repeats its latest judgment (number and court) and the transfer decision's
    # issuer; a case before any judgment has none (the field is then left off the label).
    judgment = getattr(case, "judgment_number", None) or ""
    court = getattr(case, "court", None) or ""
    case_name = getattr(case, "name", None) or getattr(case, "title", None) or ""
    delivered = " – ".join(x for x in (item.delivered_by_name, item.delivered_by_position) if x)
    # The agency that handed it over (its handover's deliverer), else the case's transferring
    # body, else the person who delivered it.
    agency = deliverer_agency or getattr(case, "transfer_issuer", None) or delivered
    fields = {
        "description": item.description,
        "category": t.maybe(f"category.{item.category}", str(item.category)),
        "seal": seal,
        # A judgment without its court is still a judgment, not a case ("Vụ án …").
        "judgment": (
            t("labels_print.judgment", number=judgment, court=court)
            if court
            else t("labels16_label.judgment_number", number=judgment)
        )
        if judgment
        else "",
        "case_name": t("labels_print.case_name", name=case_name) if case_name else "",
        "agency": t("labels_print.agency", name=agency) if agency else "",
        "intake_date": t("labels_print.intake_date", date=t.date(item.received_at)),
        "quantity": t.quantity(item.quantity, item.unit),
        "weight": t("labels_print.weight", value=t.weight(item.net_weight_g))
        if item.net_weight_g is not None
        else "",
        "location": t("label.location", code=location.code) if location is not None else "",
    }
    if location is not None and location.secure:
        fields["secure"] = t("label.secure")
    return fields


def item_label(
    item: Item,
    case: Case,
    location: Location | None,
    base_url: str | None,
    *,
    print_number: int | None = None,
    preview: bool = False,
    deliverer_agency: str = "",
) -> LabelData:
    fields = item_fields(item, case, location, deliverer_agency)
    if print_number is not None:
        fields["print_number"] = LABEL_LANG("labels_print.print_number", number=print_number)
    label_payload = payload.make_payload("item", item.code)
    return LabelData(
        payload=label_payload,
        qr_content=payload.make_qr_content(label_payload, base_url),
        kind="item",
        code=item.code,
        fields=fields,
        hazard_classes=printable_hazards(item.hazard_classes),
        preview=preview_mark() if preview else "",
    )


def location_label(
    location: Location, warehouse_name: str, base_url: str | None, *, preview: bool = False
) -> LabelData:
    t = LABEL_LANG
    limits = []
    if location.max_items:
        limits.append(t("label.max_items", value=t.number(location.max_items)))
    if location.max_weight_kg:
        limits.append(t("label.max_weight", value=t.weight(location.max_weight_kg * 1000)))
    if location.max_volume_l:
        limits.append(t("label.max_volume", value=t.number(location.max_volume_l)))
    fields = {
        "title": f"{warehouse_name} / {location.name or location.code}",
        "kind": t.maybe(f"kind.{location.kind}", location.kind),
        "limits": ", ".join(limits),
    }
    if location.secure:
        fields["secure"] = t("label.secure")
    label_payload = payload.make_payload("location", location.code)
    return LabelData(
        payload=label_payload,
        qr_content=payload.make_qr_content(label_payload, base_url),
        kind="location",
        code=location.code,
        fields=fields,
        hazard_classes=printable_hazards(location.allowed_hazard_classes),
        preview=preview_mark() if preview else "",
    )
