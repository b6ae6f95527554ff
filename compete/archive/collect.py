"""The rows a competition owns or refers to, table by table, as plain column dictionaries."""

from collections.abc import Iterator

from sqlalchemy import Table, or_, select

from compete.extensions import db
from compete.honours.policies import OWN_PREFIX
from compete.rules import numbering

# Not carried: secrets that sign in (judges' tablet links, password hashes), batch print PDFs (printed again
# from the certificates) and background jobs (done where they ran).
LEFT_OUT_COLUMNS = {"users": {"password_hash"}}
BATCH = 500


def table(name: str) -> Table:
    return db.metadata.tables[name]


def batches(values: list) -> Iterator[list]:
    """The values a batch at a time, for `IN (...)`: SQLite limits a statement's parameters."""
    for start in range(0, len(values), BATCH):
        yield values[start : start + BATCH]


def _rows(name: str, *conditions, order_by=None) -> list[dict]:
    target = table(name)
    query = select(target).where(*conditions).order_by(*(order_by or target.primary_key.columns))
    left_out = LEFT_OUT_COLUMNS.get(name, set())
    return [
        {key: value for key, value in row.items() if key not in left_out}
        for row in db.session.execute(query).mappings()
    ]


def _rows_in(name: str, column: str, values) -> list[dict]:
    """Rows whose column is one of the values, asked in batches."""
    values = sorted({value for value in values if value is not None})
    found = []
    for batch in batches(values):
        found += _rows(name, table(name).c[column].in_(batch))
    return sorted(found, key=lambda row: tuple(row[c.name] for c in table(name).primary_key.columns))


def _ids(rows: list[dict], column: str = "id") -> set:
    return {row[column] for row in rows if row.get(column) is not None}


def _with_ancestors(region_ids: set[int]) -> list[dict]:
    regions, wanted = {}, set(region_ids)
    while wanted:
        found = _rows_in("regions", "id", wanted)
        regions.update({row["id"]: row for row in found})
        wanted = _ids(found, "parent_id") - set(regions)
    # Parents first, so that the import finds (or makes) a region's parent before the region.
    depth = {}

    def depth_of(region_id):
        if region_id not in depth:
            parent = regions[region_id]["parent_id"]
            depth[region_id] = 0 if parent is None else depth_of(parent) + 1
        return depth[region_id]

    return sorted(regions.values(), key=lambda row: (depth_of(row["id"]), row["id"]))


def _sequences(numbers: set[str]) -> list[dict]:
    """The counters the certificate numbers were taken from: a key is a number with its digits marked."""
    if not numbers:
        return []
    found = []
    for row in _rows("certificate_sequences"):
        prefix, mark, suffix = row["key"].partition(numbering.SEQ_MARK)
        if mark and any(
            number.startswith(prefix)
            and number.endswith(suffix)
            and number[len(prefix) : len(number) - len(suffix)].isdigit()
            for number in numbers
        ):
            found.append(row)
    return found


def competition_rows(competition) -> dict[Table, list[dict]]:
    """Everything the competition owns, and the registry rows (people, units, regions, users) it refers to."""
    rows: dict[str, list[dict]] = {"competitions": _rows("competitions", table("competitions").c.id == competition.id)}
    rows["events"] = _rows("events", table("events").c.competition_id == competition.id)
    event_ids = _ids(rows["events"])
    for name in (
        "criteria",
        "event_regions",
        "registrations",
        "event_days",
        "entries",
        "draws",
        "panel_seats",
        "station_judges",
        "marks",
        "mark_sheets",
        "result_reviews",
        "appeals",
        "tie_decisions",
    ):
        rows[name] = _rows_in(name, "event_id", event_ids)
    rows["mark_versions"] = _rows_in("mark_versions", "mark_id", _ids(rows["marks"]))
    rows["entry_scores"] = _rows_in("entry_scores", "entry_id", _ids(rows["entries"]))
    for name in ("publications", "competition_results", "outcomes", "certificate_issuers", "audit_entries"):
        rows[name] = _rows(name, table(name).c.competition_id == competition.id)
    issuer_ids = _ids(rows["certificate_issuers"])
    rows["certificate_designs"] = _rows_in("certificate_designs", "issuer_id", issuer_ids)
    certificates = table("certificates")
    rows["certificates"] = _rows(
        "certificates",
        or_(certificates.c.competition_id == competition.id, certificates.c.issuer_id.in_(issuer_ids or {-1})),
    )
    rows["certificate_sequences"] = _sequences({row["number"] for row in rows["certificates"]})
    seal_ids = _ids(rows["certificate_issuers"], "seal_id") | {
        row["content"].get("seal_id") for row in rows["certificates"] if isinstance(row["content"], dict)
    }
    rows["certificate_seals"] = _rows_in("certificate_seals", "id", seal_ids)
    policy = competition.policy_preset
    own_id = policy.removeprefix(OWN_PREFIX) if policy.startswith(OWN_PREFIX) else ""
    rows["policies"] = _rows_in("policies", "id", {int(own_id)} if own_id.isdigit() else set())

    judge_ids = set().union(*(_ids(rows[name], "judge_id") for name in ("panel_seats", "station_judges", "marks")))
    rows["judges"] = _rows_in("judges", "id", judge_ids | _ids(rows["mark_sheets"], "judge_id"))
    person_ids = set().union(
        *(_ids(rows[name], "person_id") for name in ("registrations", "judges", "outcomes", "certificates"))
    )
    rows["persons"] = _rows_in("persons", "id", person_ids)
    rows["declared_conflicts"] = [
        row
        for row in _rows_in("declared_conflicts", "judge_id", _ids(rows["judges"]))
        if row["person_id"] in person_ids
    ]
    rows["grade_changes"] = _rows_in("grade_changes", "person_id", person_ids)
    rows["title_holdings"] = _rows_in("title_holdings", "person_id", person_ids)

    rows["users"] = _rows_in("users", "id", _referenced(rows, "users"))
    unit_ids = set().union(*(_ids(rows[name], "unit_id") for name in ("persons", "registrations", "users")))
    rows["units"] = _rows_in("units", "id", unit_ids)
    region_ids = _ids(rows["units"], "region_id") | _ids(rows["event_regions"], "region_id")
    rows["regions"] = _with_ancestors(region_ids)
    return {table(name): rows[name] for name in _in_dependency_order(rows)}


def _referenced(rows: dict[str, list[dict]], target: str) -> set[int]:
    """Every id of the target table that a column of the collected rows refers to."""
    found = set()
    for name, table_rows in rows.items():
        for column in table(name).columns:
            if any(key.column.table.name == target for key in column.foreign_keys):
                found |= _ids(table_rows, column.name)
    return found


def _in_dependency_order(rows: dict) -> list[str]:
    return [sorted_table.name for sorted_table in db.metadata.sorted_tables if sorted_table.name in rows]
