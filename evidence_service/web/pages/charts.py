"""Server-rendered charts (the pages' CSP allows no chart script): the numbers of a bar and
its geometry in a 0–100 wide SVG box, drawn by the macros of ``templates/charts.html``."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Segment:
    value: float
    css: str  # the class that colours it (bar-used, bar-growth, risky, ...)


@dataclass
class HRow:
    """One horizontal bar: segments laid end to end on a scale from 0 to ``scale_max``; an
    optional marker (a limit) drawn as a line."""

    label: str
    text: str  # the numbers, written out next to the bar
    segments: list[Segment]
    scale_max: float
    marker: float | None = None
    sub: str = ""
    css: str = ""
    depth: int = 0
    href: str = ""

    def _x(self, value: float) -> float:
        if self.scale_max <= 0:
            return 0.0
        return round(max(0.0, min(100.0, value / self.scale_max * 100)), 2)

    @property
    def rects(self) -> list[tuple[str, float, float]]:
        """(class, x, width) of each segment, clipped to the box."""
        out, at = [], 0.0
        for segment in self.segments:
            start, end = self._x(at), self._x(at + max(segment.value, 0.0))
            out.append((segment.css, start, round(end - start, 2)))
            at += max(segment.value, 0.0)
        return out

    @property
    def marker_x(self) -> float | None:
        return None if self.marker is None else self._x(self.marker)


@dataclass(frozen=True)
class Column:
    label: str
    value: float
    text: str
    css: str = ""


@dataclass
class ColumnChart:
    """Vertical columns (e.g. one per period) in a 360 × 180 box."""

    columns: list[Column] = field(default_factory=list)
    width: int = 360
    height: int = 180
    top: int = 18  # room for the value above a column
    bottom: int = 22  # room for the labels

    @property
    def peak(self) -> float:
        return max((c.value for c in self.columns), default=0.0) or 1.0

    @property
    def bars(self) -> list[tuple[Column, float, float, float, float]]:
        """(column, x, y, width, height) of each column."""
        if not self.columns:
            return []
        slot = self.width / len(self.columns)
        width = min(48.0, slot * 0.7)
        room = self.height - self.top - self.bottom
        out = []
        for n, column in enumerate(self.columns):
            h = round(max(column.value, 0.0) / self.peak * room, 2)
            x = round(n * slot + (slot - width) / 2, 2)
            out.append((column, x, round(self.top + room - h, 2), round(width, 2), h))
        return out

    @property
    def baseline(self) -> int:
        return self.height - self.bottom


def scale_for(used: float, limit: float | None, extra: float = 0.0) -> float:
    """The scale of a usage bar: the limit, or more when the bar goes past it (up to 1.5×)."""
    if not limit:
        return max(used + extra, 1.0)
    return max(limit, min(used + extra, limit * 1.5))
