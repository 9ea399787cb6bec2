"""The destruction record's section "Ước tính phát thải": the batch's estimated releases to air,
the same items at a licensed hazardous-waste incinerator and in a cement kiln, the releases
avoided, and the site safeguards the site fell below. Clearly an estimate: the section says it
is order-of-magnitude, from published factors, not measured. Built as flowables the record
places after its environmental record (``destruction.record``)."""

from typing import Any

from .. import pdfdoc
from ..i18n import Translator
from .estimate import EstimatedReleases, PollutantEstimate
from .numbers import significant
from .sites import SiteFlag


def _value(t: Translator, p: PollutantEstimate | None) -> str:
    if p is None or p.value is None:
        return t("environment_report.no_factor")
    return significant(t, p.value) + ("" if p.complete else " *")


def estimate_flowables(
    releases: EstimatedReleases | None, flags: list[SiteFlag], t: Translator
) -> list[Any]:
    if releases is None:
        return []
    story: list[Any] = [
        pdfdoc.para(t("environment_record.heading"), "heading"),
        pdfdoc.para(t("environment_record.note"), "small"),
    ]
    alternatives = {
        a.profile: {p.pollutant: p for p in a.pollutants} for a in releases.alternatives
    }
    avoided = {(a.alternative, a.pollutant): a for a in releases.avoided}
    if releases.actual.no_air_release:
        story.append(pdfdoc.para(t("environment_record.no_air_release"), "body"))
    rows = []
    for p in releases.actual.pollutants or [
        q for q in alternatives.get("licensed_incineration", {}).values()
    ]:
        mine = next((q for q in releases.actual.pollutants if q.pollutant == p.pollutant), None)
        gone = avoided.get(("licensed_incineration", p.pollutant))
        rows.append(
            [
                f"{p.name_en if t.lang == 'en' else p.name_vi} ({p.unit})",
                _value(t, mine),
                _value(t, alternatives.get("licensed_incineration", {}).get(p.pollutant)),
                _value(t, alternatives.get("cement_kiln", {}).get(p.pollutant)),
                significant(t, gone.value)
                if gone and gone.value is not None
                else t("environment_report.no_factor"),
            ]
        )
    head = [
        t("environment_report.col_pollutant"),
        t("environment_record.this_destruction"),
        t("environment_record.at_incinerator"),
        t("environment_record.at_cement_kiln"),
        t("environment_record.avoided"),
    ]
    story.append(pdfdoc.table(head, rows, [44, 32, 32, 32, 30]))
    story.append(pdfdoc.para(t("environment_report.partial_note"), "small"))
    for f in flags:
        story.append(
            pdfdoc.para(
                t(
                    "environment_record.site_flag",
                    field=t(f"environment_record.field_{f.field}"),
                    distance=t.number(f.distance_m),
                    threshold=t.number(f.threshold_m),
                    reference=f.reference,
                    note=f.note,
                ),
                "body",
            )
        )
    return story
