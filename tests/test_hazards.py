"""Tests for the hazard segregation table and its rules (pure logic, no database)."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest

from evidence_service.locations.hazard_table import DEFAULT_TABLE_PATH, load_hazard_table
from evidence_service.locations.hazards import (
    LEVELS,
    SAME_LOCATION,
    SEPARATE_LOCATION,
    SEPARATE_ROOM,
    HazardTable,
    HazardTableError,
    Neighbour,
    UnknownHazardClass,
    check_location_accepts,
    find_conflicts,
)


@pytest.fixture(scope="module")
def table() -> HazardTable:
    return load_hazard_table()


def nb(code: str, *classes: str, location: bool = False, room: bool = False) -> Neighbour:
    return Neighbour(item_code=code, hazard_classes=classes, same_location=location, same_room=room)


# -- the packaged table ------------------------------------------------------------------------


def test_default_table_is_cached(table: HazardTable) -> None:
    assert load_hazard_table() is table
    assert load_hazard_table(None) is table


def test_table_knows_the_required_classes(table: HazardTable) -> None:
    ids = {c.id for c in table.classes}
    required = {"2.1", "3", "4.1", "5.1", "5.2", "6.1", "8", "narcotics", "weapons", "cash"}
    assert required | {"general", "1.4G", "1.3G"} <= ids
    for c in table.classes:
        assert c.name_en and c.name_vi
        assert c.group in table.groups
    secure = {c.id for c in table.classes if c.requires_secure}
    assert secure == {"narcotics", "weapons", "cash"}


def test_table_is_complete_and_symmetric(table: HazardTable) -> None:
    groups = table.groups
    assert len(groups) == 12
    for a, b in itertools.product(groups, repeat=2):
        level = table.rule(a, b)
        assert level in LEVELS
        assert table.rule(b, a) == level
        if a == b:
            assert level == SAME_LOCATION


def test_every_class_rule_matches_its_group(table: HazardTable) -> None:
    for a, b in itertools.product(table.classes, repeat=2):
        assert table.rule(a.id, b.id) == table.rule(a.group, b.group)


def test_explosives_are_kept_in_a_room_of_their_own(table: HazardTable) -> None:
    for g in table.groups:
        if g != "1":
            assert table.rule("1", g) == SEPARATE_ROOM, g
    # all divisions/compatibility groups count as one class (documented simplification)
    assert table.rule("1.4G", "1.3G") == SAME_LOCATION
    assert table.rule("1.1D", "1.4S") == SAME_LOCATION


def test_some_imdg_cells(table: HazardTable) -> None:
    assert table.rule("3", "6.1") == SAME_LOCATION  # IMDG X
    assert table.rule("5.1", "6.1") == SEPARATE_LOCATION  # IMDG 1 "away from"
    assert table.rule("3", "5.1") == SEPARATE_LOCATION  # IMDG 2 "separated from"
    assert table.rule("narcotics", "general") == SAME_LOCATION
    assert table.rule("weapons", "1.4S") == SEPARATE_ROOM


def test_data_file_cites_its_sources() -> None:
    text = DEFAULT_TABLE_PATH.read_text(encoding="utf-8")
    assert "IMDG" in text and "7.2.4" in text
    assert "TRGS 510" in text


def test_to_dict_is_json_serialisable(table: HazardTable) -> None:
    data = json.loads(json.dumps(table.to_dict()))
    assert len(data["rules"]) == 12 * 11 // 2
    assert {lv["id"] for lv in data["levels"]} == set(LEVELS)


# -- normalisation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1.4G", "1.4G"),
        ("1.4g", "1.4G"),
        (" 1.4G ", "1.4G"),
        ("1.3g", "1.3G"),
        ("1.1d", "1.1D"),
        ("1,4g", "1.4G"),
        ("1.4", "1.4"),
        ("6.1", "6.1"),
        ("6,1", "6.1"),
        (" 8", "8"),
        ("narcotics", "narcotics"),
        ("Narcotics ", "narcotics"),
        ("drugs", "narcotics"),
        ("Firearms", "weapons"),
        ("oxidizer", "5.1"),
        ("GENERAL", "general"),
    ],
)
def test_normalise(table: HazardTable, value: str, expected: str) -> None:
    assert table.normalise(value) == expected


def test_pattern_class_has_group_and_names(table: HazardTable) -> None:
    hc = table.get("1.1d")
    assert (hc.id, hc.group, hc.requires_secure) == ("1.1D", "1", False)
    assert "1.1D" in hc.name_en and "1.1D" in hc.name_vi


@pytest.mark.parametrize("value", ["1.7X", "1.4A", "9", "", "  ", "nitro", "6.1.1"])
def test_unknown_class_raises_with_value_and_known_list(table: HazardTable, value: str) -> None:
    with pytest.raises(UnknownHazardClass) as info:
        table.normalise(value)
    err = info.value
    assert isinstance(err, ValueError)
    assert err.value == value
    assert "6.1" in err.known and "narcotics" in err.known
    message = str(err)
    assert repr(value) in message
    assert "narcotics" in message and "1.4G" in message


def test_rule_rejects_unknown(table: HazardTable) -> None:
    with pytest.raises(UnknownHazardClass):
        table.rule("3", "plutonium")


def test_requires_secure(table: HazardTable) -> None:
    assert table.requires_secure(["3", "Drugs", "cash", "narcotics", "1.4G"]) == [
        "narcotics",
        "cash",
    ]
    assert table.requires_secure(["general", "8"]) == []


# -- conflicts ---------------------------------------------------------------------------------


def test_fireworks_with_oxidiser_in_same_room_is_not_overridable(table: HazardTable) -> None:
    conflicts = find_conflicts(table, ["1.4g"], [nb("KV-0001", "5.1", room=True)])
    assert len(conflicts) == 1
    c = conflicts[0]
    assert (c.item_code, c.incoming_class, c.present_class) == ("KV-0001", "1.4G", "5.1")
    assert c.rule == SEPARATE_ROOM
    assert c.overridable is False


def test_separate_room_also_applies_in_same_location(table: HazardTable) -> None:
    conflicts = find_conflicts(table, ["5.1"], [nb("KV-0002", "1.3G", location=True)])
    assert [(c.rule, c.overridable) for c in conflicts] == [(SEPARATE_ROOM, False)]


def test_separate_location_in_same_location_is_overridable(table: HazardTable) -> None:
    conflicts = find_conflicts(table, ["5.1"], [nb("KV-0003", "6.1", location=True, room=True)])
    assert len(conflicts) == 1
    assert conflicts[0].rule == SEPARATE_LOCATION
    assert conflicts[0].overridable is True


def test_separate_location_elsewhere_in_room_is_fine(table: HazardTable) -> None:
    assert find_conflicts(table, ["5.1"], [nb("KV-0004", "6.1", room=True)]) == []


def test_same_location_pair_is_fine(table: HazardTable) -> None:
    # IMDG: no general segregation between flammable liquids and toxics
    assert find_conflicts(table, ["3"], [nb("KV-0005", "6.1", location=True, room=True)]) == []


def test_neighbours_outside_the_room_are_ignored(table: HazardTable) -> None:
    assert find_conflicts(table, ["1.4G"], [nb("KV-0006", "5.1", "3")]) == []


def test_multiple_classes_and_neighbours(table: HazardTable) -> None:
    neighbours = [
        nb("A", "5.1", "8", location=True, room=True),
        nb("B", "general", room=True),
        nb("C", "3", room=True),
        nb("A", "5.1", location=True, room=True),  # duplicate information
    ]
    conflicts = find_conflicts(table, ["3", "1.4G", "3"], neighbours)
    got = {(c.item_code, c.incoming_class, c.present_class, c.rule) for c in conflicts}
    assert got == {
        ("A", "3", "5.1", SEPARATE_LOCATION),
        ("A", "1.4G", "5.1", SEPARATE_ROOM),
        ("A", "1.4G", "8", SEPARATE_ROOM),
        ("B", "1.4G", "general", SEPARATE_ROOM),
        ("C", "1.4G", "3", SEPARATE_ROOM),
    }
    assert len(conflicts) == len(got)  # de-duplicated


def test_conflict_to_dict(table: HazardTable) -> None:
    (c,) = find_conflicts(table, ["1.4G"], [nb("KV-0007", "5.1", room=True)])
    d = json.loads(json.dumps(c.to_dict()))
    assert d["item_code"] == "KV-0007"
    assert d["incoming_class"] == "1.4G" and d["present_class"] == "5.1"
    assert d["rule"] == SEPARATE_ROOM and d["overridable"] is False
    assert "KV-0007" in d["message"] and "different rooms" in d["message"]
    assert "KV-0007" in d["message_vi"]


def test_unknown_incoming_class_raises(table: HazardTable) -> None:
    with pytest.raises(UnknownHazardClass):
        find_conflicts(table, ["radioactive"], [])


# -- location acceptance -----------------------------------------------------------------------


def test_narcotics_into_non_secure_location_refused(table: HazardTable) -> None:
    refusals = check_location_accepts(table, ["narcotics"], ["narcotics"], secure=False)
    assert [r.code for r in refusals] == ["requires_secure_location"]
    assert refusals[0].hazard_class == "narcotics"
    assert "secure" in refusals[0].message
    assert check_location_accepts(table, ["narcotics"], ["narcotics"], secure=True) == []


@pytest.mark.parametrize("cls", ["weapons", "cash"])
def test_other_secure_only_classes(table: HazardTable, cls: str) -> None:
    codes = [r.code for r in check_location_accepts(table, [cls], [cls], secure=False)]
    assert codes == ["requires_secure_location"]


def test_class_not_in_allowed_list_refused(table: HazardTable) -> None:
    refusals = check_location_accepts(table, ["3", "general"], ["6.1", "8"], secure=False)
    assert [(r.code, r.hazard_class) for r in refusals] == [("class_not_allowed", "3")]
    assert "6.1" in refusals[0].message
    json.dumps([r.to_dict() for r in refusals])


def test_empty_allowed_list_takes_only_general(table: HazardTable) -> None:
    assert check_location_accepts(table, ["general"], [], secure=False) == []
    assert [r.code for r in check_location_accepts(table, ["8"], [], secure=False)] == [
        "class_not_allowed"
    ]
    both = check_location_accepts(table, ["narcotics"], [], secure=False)
    assert {r.code for r in both} == {"class_not_allowed", "requires_secure_location"}


def test_group_entry_accepts_all_divisions_but_division_entry_is_narrow(
    table: HazardTable,
) -> None:
    assert check_location_accepts(table, ["1.4G", "1.1D", "1"], ["1"], secure=False) == []
    assert check_location_accepts(table, ["1.4g"], ["1.4G"], secure=False) == []
    refused = check_location_accepts(table, ["1.3G", "1"], ["1.4G"], secure=False)
    assert [r.hazard_class for r in refused] == ["1.3G", "1"]


def test_allowed_list_is_normalised(table: HazardTable) -> None:
    assert check_location_accepts(table, ["5.1"], [" oxidiser "], secure=False) == []
    with pytest.raises(UnknownHazardClass):
        check_location_accepts(table, ["3"], ["lava"], secure=False)


# -- broken table files ------------------------------------------------------------------------

MINIMAL = """
non_hazardous = ["general", "cash"]
always_allowed = ["general"]

[[class]]
id = "3"
group = "3"
name_en = "Flammable liquids"
name_vi = "Chất lỏng dễ cháy"

[[class]]
id = "5.1"
group = "5.1"
name_en = "Oxidisers"
name_vi = "Chất oxy hóa"

[[class]]
id = "general"
group = "general"
name_en = "General"
name_vi = "Thông thường"

[[class]]
id = "cash"
group = "cash"
name_en = "Cash"
name_vi = "Tiền mặt"
requires_secure = true
"""

MINIMAL_PAIRS = """
[pairs."3"]
"5.1" = "separate_location"
general = "same_location"
cash = "same_location"

[pairs."5.1"]
general = "separate_location"
cash = "separate_location"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "table.toml"
    path.write_text(text, encoding="utf-8")
    return path


def load_error(tmp_path: Path, text: str) -> str:
    with pytest.raises(HazardTableError) as info:
        load_hazard_table(write(tmp_path, text))
    message = str(info.value)
    assert "table.toml" in message  # always names the file
    return message


def test_minimal_table_loads(tmp_path: Path) -> None:
    t = load_hazard_table(write(tmp_path, MINIMAL + MINIMAL_PAIRS))
    assert t.rule("5.1", "3") == SEPARATE_LOCATION
    assert t.rule("general", "cash") == SAME_LOCATION  # non-hazardous default
    assert t is not load_hazard_table()


def test_missing_pair_fails(tmp_path: Path) -> None:
    broken = MINIMAL_PAIRS.replace('"5.1" = "separate_location"\n', "")
    message = load_error(tmp_path, MINIMAL + broken)
    assert "incomplete" in message
    assert "3 / 5.1" in message


def test_unknown_class_in_pairs_fails(tmp_path: Path) -> None:
    pairs = MINIMAL_PAIRS + '"4.1" = "same_location"\n'  # appended to [pairs."5.1"]
    message = load_error(tmp_path, MINIMAL + pairs)
    assert "unknown class '4.1'" in message


def test_unknown_row_class_in_pairs_fails(tmp_path: Path) -> None:
    extra = '\n[pairs.weapons]\ncash = "same_location"\n'
    message = load_error(tmp_path, MINIMAL + MINIMAL_PAIRS + extra)
    assert "unknown class 'weapons'" in message


def test_contradictory_pair_fails(tmp_path: Path) -> None:
    extra = '\n[pairs.general]\n"3" = "separate_room"\n'
    message = load_error(tmp_path, MINIMAL + MINIMAL_PAIRS + extra)
    assert "not symmetric" in message
    assert "same_location" in message and "separate_room" in message


def test_agreeing_pair_in_both_directions_is_fine(tmp_path: Path) -> None:
    extra = '\n[pairs.general]\n"3" = "same_location"\n'
    assert load_hazard_table(write(tmp_path, MINIMAL + MINIMAL_PAIRS + extra))


def test_unknown_level_fails(tmp_path: Path) -> None:
    text = MINIMAL + MINIMAL_PAIRS.replace('general = "separate_location"', 'general = "far"')
    message = load_error(tmp_path, text)
    assert "unknown level 'far'" in message


def test_unquoted_dotted_key_gets_a_hint(tmp_path: Path) -> None:
    pairs = MINIMAL_PAIRS.replace('"5.1" = "separate_location"', '5.1 = "separate_location"')
    text = MINIMAL + pairs
    message = load_error(tmp_path, text)
    assert "quote keys" in message


def test_self_pair_fails(tmp_path: Path) -> None:
    pairs = MINIMAL_PAIRS.replace('general = "same_location"', '"3" = "same_location"')
    message = load_error(tmp_path, MINIMAL + pairs)
    assert "itself" in message


def test_invalid_toml_fails(tmp_path: Path) -> None:
    message = load_error(tmp_path, MINIMAL + "[pairs\n")
    assert "not valid TOML" in message


def test_duplicate_alias_fails(tmp_path: Path) -> None:
    text = MINIMAL.replace('name_en = "Cash"', 'name_en = "Cash"\naliases = ["General"]')
    message = load_error(tmp_path, text + MINIMAL_PAIRS)
    assert re.search(r"'General'.*already used", message)


def test_missing_file_fails(tmp_path: Path) -> None:
    with pytest.raises(HazardTableError, match="cannot read"):
        load_hazard_table(tmp_path / "nope.toml")
