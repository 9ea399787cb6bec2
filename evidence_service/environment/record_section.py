"""The destruction record's section "Ước tính phát thải": the batch's estimated releases to air,
the same items at a licensed hazardous-waste incinerator and in a cement kiln, the releases
avoided, and the site safeguards the site fell below. Clearly an estimate: the section says it
is order-of-magnitude, from published factors, not measured. Built from the document engine's
blocks (``documents``) for the record's ``SECTIONS`` (``destruction.record``)."""

from reportlab.platypus import Flowable

from .. import documents as d
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
) -> list[Flowable]:
    if releases is None or not releases.lines:
        return []
    out: list[Flowable] = [
        d.heading(t("environment_record.heading")),
        d.para(t("env20_environment_record.note"), "small"),
    ]
    alternatives = {
        a.profile: {p.pollutant: p for p in a.pollutants} for a in releases.alternatives
    }
    avoided = {(a.alternative, a.pollutant): a for a in releases.avoided}
    actual = {p.pollutant: p for p in releases.actual.pollutants}
    if releases.actual.no_air_release:
        out.append(d.para(t("environment_record.no_air_release")))
    rows = []
    for p in releases.alternatives[0].pollutants if releases.alternatives else []:
        mine = actual.get(p.pollutant)
        at_incinerator = alternatives.get("licensed_incineration", {}).get(p.pollutant)
        at_kiln = alternatives.get("cement_kiln", {}).get(p.pollutant)
        if all(x is None or x.value is None for x in (mine, at_incinerator, at_kiln)):
            continue  # no source gave a value: named once below
        gone = avoided.get(("licensed_incineration", p.pollutant))
        rows.append(
            [
                f"{p.name_en if t.lang == 'en' else p.name_vi} ({p.unit})",
                _value(t, mine),
                _value(t, at_incinerator),
                _value(t, at_kiln),
                significant(t, gone.value if gone else None),
            ]
        )
    unknown = [
        p.name_en if t.lang == "en" else p.name_vi
        for p in (releases.alternatives[0].pollutants if releases.alternatives else [])
        if all(
            x is None or x.value is None
            for x in (
                actual.get(p.pollutant),
                *(alternatives.get(a, {}).get(p.pollutant) for a in alternatives),
            )
        )
    ]
    if rows:
        out.append(
            d.table(
                [
                    d.Column(t("environment_report.col_pollutant"), 44),
                    d.Column(t("environment_record.this_destruction"), 32, right=True),
                    d.Column(t("environment_record.at_incinerator"), 34, right=True),
                    d.Column(t("environment_record.at_cement_kiln"), 32, right=True),
                    d.Column(t("environment_record.avoided"), 33, right=True),
                ],
                rows,
            )
        )
    if unknown:
        out.append(
            d.para(
                t("environment_report_more.no_factor_for", pollutants=", ".join(unknown)), "small"
            )
        )
    out.append(d.para(t("environment_report.partial_note"), "small"))
    for f in flags:
        out.append(
            d.para(
                t(
                    "environment_record.site_flag",
                    field=t(f"environment_record.field_{f.field}"),
                    distance=t.number(f.distance_m),
                    threshold=t.number(f.threshold_m),
                    reference=f.reference_in(t.lang),
                    note=f.note,
                )
            )
        )
    return out
