"""Exit slips (phiếu xuất kho) and the hand-over records of exits.

- ``issue``: the slip of every item leaving, made in the exit's transaction (called by the
  item's status update, ``items.lifecycle.update_items``); which kinds need a record
- ``papers``: the slip and the record (PDF)
- ``views``: finding and showing slips
"""
