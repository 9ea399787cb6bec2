"""How a release reads: three significant digits through the locale's formatter."""

import math

from ..i18n import Translator


def significant(t: Translator, value: float | None) -> str:
    """A release with three significant digits: ``0,000123``, ``48,8``, ``1.230``."""
    if value is None:
        return t("environment_report.no_factor")
    if value == 0:
        return t.number(0)
    decimals = max(0, min(9, 2 - math.floor(math.log10(abs(value)))))
    return t.number(round(value, decimals), decimals)
