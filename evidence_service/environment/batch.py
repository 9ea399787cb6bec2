"""The estimate of one destruction batch: its items as destroyed (executed or closed), or as
they stand in the batch before (the same items at the licensed alternatives)."""

from collections.abc import Sequence

from ..models import BatchStatus, DestructionBatch, DestructionItem, Item
from .estimate import EstimatedReleases, Line, estimate

DONE = (BatchStatus.executed.value, BatchStatus.closed.value)


def destroyed_grams(line: DestructionItem, item: Item) -> float | None:
    """The weight the destruction totals count: measured before destruction, else recorded."""
    if line.measured_weight_g is not None:
        return line.measured_weight_g
    return line.recorded_weight_g if line.result else item.net_weight_g


def batch_estimate(
    batch: DestructionBatch, batch_lines: Sequence[tuple[DestructionItem, Item]]
) -> EstimatedReleases:
    done = batch.status in DONE
    lines = [
        Line(item.code, item.category, list(item.hazard_classes), destroyed_grams(line, item))
        for line, item in batch_lines
        if (line.result == "destroyed" if done else line.open)
    ]
    return estimate(lines, batch.method)
