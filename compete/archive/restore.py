"""Writing an archive's rows into this installation: new ids everywhere, the registry matched rather than copied."""

import copy
import re
import secrets
from collections import defaultdict

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select, update
from werkzeug.security import generate_password_hash

from compete.accounts.models import Role
from compete.archive.collect import batches, table
from compete.archive.fileformat import Archive, CorruptArchive
from compete.extensions import db
from compete.honours.policies import OWN_PREFIX
from compete.people.models import Person, Region, Unit
from compete.rules import idcard
from compete.venue.models import DeclaredConflict, DrawStage, Judge

# Rows matched with (or made from) the registry first; every other table is written as it comes, in the
# order the foreign keys need.
REGISTRY = ("regions", "units", "persons", "users", "judges", "policies", "certificate_seals", "competitions")
MERGED = ("certificate_sequences",)
# Their JSON or keys name ids of other tables (entries, registrations, seals...), which no foreign key orders.
LATE = ("draws", "tie_decisions", "publications", "certificates", "audit_entries")
PERSON_FIELDS = ("name", "gender", "birth_date", "grade")
_SOURCE_KEY = re.compile(r"^(?P<head>[a-z]+:(?P<kind>entry|registration):)(?P<id>\d+)(?P<tail>.*)$")


def _inconsistent(name: str, referred: str) -> CorruptArchive:
    return CorruptArchive(
        _l(
            "The archive is inconsistent: %(table)s refers to %(referred)s it does not carry.",
            table=name,
            referred=referred,
        )
    )


class Restore:
    def __init__(self, actor, archive: Archive, origin: str):
        self.actor = actor
        self.rows = archive.tables
        self.extras = archive.extras
        self.origin = origin
        self.ids: dict[str, dict[int, int]] = defaultdict(dict)
        # Archived person id -> the person already here; held so that later steps need not load them again.
        self.matched_persons: dict[int, Person] = {}
        self.archived_outcomes = {row["id"] for row in self.rows.get("outcomes", [])}
        self.summary = {
            "regions": {"matched": 0, "added": 0},
            "units": {"matched": 0, "added": 0},
            "persons": {"matched": 0, "added": 0},
            "judges": {"matched": 0, "added": 0},
            "users_added": 0,
            "differences": [],
        }

    def run(self) -> int:
        self.regions()
        self.units()
        self.persons()
        self.judges_and_users()
        self.policies()
        self.seals()
        competition_id = self.competition()
        written = set(REGISTRY) | set(MERGED) | set(LATE)
        for name in [t.name for t in db.metadata.sorted_tables if t.name not in written] + list(LATE):
            if name in self.rows:
                self.write(name)
        self.link_certificates()
        self.sequences()
        self.apply_promotions()
        return competition_id

    # ---- writing rows

    def remap(self, name: str, row: dict) -> dict:
        """The row with every foreign key turned into this installation's id (self references come later)."""
        out = dict(row)
        for column in table(name).columns:
            old = row.get(column.name)
            for key in column.foreign_keys:
                referred = key.column.table.name
                if old is None:
                    continue
                if referred == name:
                    out[column.name] = None
                    continue
                new = self.ids[referred].get(old)
                if new is None and not column.nullable:
                    raise _inconsistent(name, referred)
                out[column.name] = new  # an optional link to something not carried (a selection round) is dropped
        return out

    def insert(self, name: str, rows: list[dict]) -> None:
        """Insert in one statement per table; new ids are recorded against the archived ones, in order."""
        if not rows:
            return
        target = table(name)
        if "id" not in target.c:
            db.session.execute(insert(target), rows)
            return
        values = [{key: value for key, value in row.items() if key != "id"} for row in rows]
        result = db.session.execute(insert(target).returning(target.c.id, sort_by_parameter_order=True), values)
        self.ids[name].update(zip((row["id"] for row in rows), result.scalars(), strict=True))

    def write(self, name: str) -> None:
        keep = getattr(self, f"keep_{name}", None)
        fix = getattr(self, f"fix_{name}", None)
        rows = []
        for row in self.rows[name]:
            if keep is not None and not keep(row):
                continue
            new = self.remap(name, row)
            rows.append(fix(new, row) if fix is not None else new)
        self.insert(name, rows)

    # ---- the registry: matched, not duplicated

    def regions(self) -> None:
        for row in self.rows.get("regions", []):  # parents first
            found = db.session.scalar(select(Region.id).where(Region.code == row["code"]))
            if found is None:
                self.insert(
                    "regions", [self.remap("regions", row) | {"parent_id": self.ids["regions"].get(row["parent_id"])}]
                )
                self.summary["regions"]["added"] += 1
                continue
            self.ids["regions"][row["id"]] = found
            self.summary["regions"]["matched"] += 1

    def units(self) -> None:
        for row in self.rows.get("units", []):
            found = db.session.scalar(select(Unit.id).where(Unit.name == row["name"]))
            if found is None:
                self.insert("units", [self.remap("units", row)])
                self.summary["units"]["added"] += 1
            else:
                self.ids["units"][row["id"]] = found
                self.summary["units"]["matched"] += 1

    @staticmethod
    def _persons_by_id_number(numbers: list[str]) -> dict[str, Person]:
        """The people here with these ID numbers, a batch of numbers a query."""
        found = {}
        for batch in batches(numbers):
            people = db.session.scalars(select(Person).where(Person.id_number.in_(batch)))
            found.update((person.id_number, person) for person in people)
        return found

    def _person_by_name(self, row: dict) -> Person | None:
        """A judge known by name and unit only: the same name in the same unit is the same judge."""
        unit_id = self.ids["units"].get(row["unit_id"])
        return db.session.scalar(
            select(Person)
            .where(Person.id_number.is_(None), Person.name == row["name"], Person.unit_id == unit_id)
            .order_by(Person.id)
            .limit(1)
        )

    def persons(self) -> None:
        rows = self.rows.get("persons", [])
        known = self._persons_by_id_number([row["id_number"] for row in rows if row["id_number"]])
        added = []
        for row in rows:
            person = known.get(row["id_number"]) if row["id_number"] else self._person_by_name(row)
            if person is None:
                added.append(self.remap("persons", row))
                continue
            self.ids["persons"][row["id"]] = person.id
            self.matched_persons[row["id"]] = person
        self.insert("persons", added)
        self.summary["persons"]["added"] = len(added)
        self.summary["persons"]["matched"] = len(self.matched_persons)

    def _note_differences(self, row: dict, person: Person) -> None:
        """The registry here is kept as it is; what the archive says otherwise is reported in the import's trail."""
        for field in PERSON_FIELDS:
            archived, here = row[field], getattr(person, field)
            if archived != here:
                self.summary["differences"].append(
                    {
                        "person": idcard.mask(person.id_number) if person.id_number else person.name,
                        "field": field,
                        "archive": archived,
                        "here": here,
                    }
                )

    def judges_and_users(self) -> None:
        """A judge already in this registry keeps their judge record and account; every other account is made
        anew, with no usable password: only judges' accounts stay active (a new tablet link signs them in)."""
        rows = self.rows.get("judges", [])
        person_ids = [self.ids["persons"][row["person_id"]] for row in rows]
        existing = {}
        for batch in batches(person_ids):
            judges = select(Judge.person_id, Judge.id, Judge.user_id).where(Judge.person_id.in_(batch))
            existing.update((found.person_id, found) for found in db.session.execute(judges))
        new_judges = []
        for row in rows:
            found = existing.get(self.ids["persons"][row["person_id"]])
            if found is None:
                new_judges.append(row)
                continue
            self.ids["judges"][row["id"]] = found.id
            self.ids["users"][row["user_id"]] = found.user_id
            self.summary["judges"]["matched"] += 1
        judge_users = {row["user_id"] for row in new_judges}
        password_hash = generate_password_hash(secrets.token_urlsafe(32))  # nobody knows it; once for all
        taken = set(db.session.scalars(select(table("users").c.username)))
        added = []
        for row in self.rows.get("users", []):
            if row["id"] in self.ids["users"]:
                continue
            username = self._username(row["username"], taken)
            is_judge = row["id"] in judge_users
            added.append(
                self.remap("users", row)
                | {
                    "username": username,
                    "password_hash": password_hash,
                    # A judge's account signs in by tablet link only, so it may never carry more than the judge role.
                    "role": Role.JUDGE if is_judge else row["role"],
                    "active": bool(row["active"]) and is_judge,
                    "last_login_at": None,
                }
            )
        self.insert("users", added)
        self.summary["users_added"] = len(added)
        self.insert("judges", [self.remap("judges", row) for row in new_judges])
        self.summary["judges"]["added"] = len(new_judges)

    def _username(self, username: str, taken: set[str]) -> str:
        """Accounts from another installation are named after it: their names there may be anyone's here."""
        base = f"imported-{self.origin[:6]}-{username}"[:60]
        candidate, number = base, 1
        while candidate in taken:
            number += 1
            candidate = f"{base[:57]}-{number}"
        taken.add(candidate)
        return candidate

    def policies(self) -> None:
        self.insert(
            "policies",
            [self.remap("policies", row) | {"owner_id": self.actor.id} for row in self.rows.get("policies", [])],
        )

    def seals(self) -> None:
        rows = self.rows.get("certificate_seals", [])
        self.insert(
            "certificate_seals", [self.remap("certificate_seals", row) | {"owner_id": self.actor.id} for row in rows]
        )

    def competition(self) -> int:
        (row,) = self.rows["competitions"]
        preset = row["policy_preset"]
        if preset.startswith(OWN_PREFIX) and preset.removeprefix(OWN_PREFIX).isdigit():
            own = self.ids["policies"].get(int(preset.removeprefix(OWN_PREFIX)))
            if own is None:
                raise _inconsistent("competitions", "policies")
            preset = f"{OWN_PREFIX}{own}"
        # The importing organizer owns it here; the accounts that did the work there keep their names in the trail.
        self.insert(
            "competitions",
            [
                self.remap("competitions", row)
                | {"owner_id": self.actor.id, "policy_preset": preset, "copied_from_id": None}
            ],
        )
        return self.ids["competitions"][row["id"]]

    # ---- what the competition owns: kept, with the ids inside its JSON turned too

    def keep_declared_conflicts(self, row: dict) -> bool:
        judge_id, person_id = self.ids["judges"][row["judge_id"]], self.ids["persons"][row["person_id"]]
        exists = select(DeclaredConflict.id).where(
            DeclaredConflict.judge_id == judge_id, DeclaredConflict.person_id == person_id
        )
        return db.session.scalar(exists) is None

    def _registry_line_kept(self, row: dict) -> bool:
        """A person already here keeps their history; only the lines this competition wrote are added to it."""
        return row["person_id"] not in self.matched_persons or row["outcome_id"] in self.archived_outcomes

    keep_grade_changes = _registry_line_kept
    keep_title_holdings = _registry_line_kept

    def fix_draws(self, new: dict, row: dict) -> dict:
        if row["stage"] == DrawStage.COMPETITOR_NUMBERS:  # the first draw shuffled entry ids
            new["drawn_keys"] = [self.ids["entries"][key] for key in row["drawn_keys"]]
        return new

    def fix_tie_decisions(self, new: dict, row: dict) -> dict:
        new["entry_ids"] = [self.ids["entries"][key] for key in row["entry_ids"]]
        return new

    def fix_publications(self, new: dict, row: dict) -> dict:
        snapshot = copy.deepcopy(row["snapshot"])
        for event in snapshot.get("events", []):
            for line in event.get("rows", []):
                if line.get("entry_id") is not None:
                    line["entry_id"] = self.ids["entries"].get(line["entry_id"])
        new["snapshot"] = snapshot
        new["digests"] = {code: self._digest(code, digest) for code, digest in row["digests"].items()}
        return new

    def fix_result_reviews(self, new: dict, row: dict) -> dict:
        code = next(event["code"] for event in self.rows["events"] if event["id"] == row["event_id"])
        new["digest"] = self._digest(code, row["digest"])
        return new

    def _digest(self, code: str, digest: str) -> str:
        """A digest names entry ids: one that matched the results as exported is marked for recomputing."""
        return f"current:{code}" if self.extras.get("digests", {}).get(code) == digest else digest

    def fix_outcomes(self, new: dict, row: dict) -> dict:
        if isinstance(row["basis"], dict) and "competition_id" in row["basis"]:
            new["basis"] = {**row["basis"], "competition_id": self.ids["competitions"][row["basis"]["competition_id"]]}
        return new

    def fix_certificates(self, new: dict, row: dict) -> dict:
        content = dict(row["content"])
        if content.get("seal_id") is not None:
            content["seal_id"] = self.ids["certificate_seals"].get(content["seal_id"])
        new["content"] = content
        new["source_key"] = self._source_key(row["source_key"])
        new["held_key"] = self._source_key(row["held_key"])
        return new

    def _source_key(self, key: str | None) -> str | None:
        match = _SOURCE_KEY.match(key or "")
        if match is None:
            return key
        referred = "entries" if match["kind"] == "entry" else "registrations"
        return f"{match['head']}{self.ids[referred][int(match['id'])]}{match['tail']}"

    def fix_audit_entries(self, new: dict, row: dict) -> dict:
        new["competition_id"] = self.ids["competitions"][row["competition_id"]]  # a plain column, no foreign key
        object_id = row["object_id"]
        if object_id and object_id.isdigit() and int(object_id) in self.ids.get(row["object_type"], {}):
            new["object_id"] = str(self.ids[row["object_type"]][int(object_id)])
        return new

    # ---- after every row is in

    def link_certificates(self) -> None:
        certificates = table("certificates")
        for row in self.rows.get("certificates", []):
            links = {
                column: self.ids["certificates"][row[column]]
                for column in ("supersedes_id", "superseded_by_id")
                if row[column] is not None
            }
            if links:
                db.session.execute(
                    update(certificates).where(certificates.c.id == self.ids["certificates"][row["id"]]).values(**links)
                )

    def sequences(self) -> None:
        """Certificate counters move on past the imported numbers, so that the next issue cannot repeat one."""
        sequences = table("certificate_sequences")
        for row in self.rows.get("certificate_sequences", []):
            last = db.session.scalar(select(sequences.c.last).where(sequences.c.key == row["key"]))
            if last is None:
                db.session.execute(insert(sequences).values(key=row["key"], last=row["last"]))
            elif last < row["last"]:
                db.session.execute(update(sequences).where(sequences.c.key == row["key"]).values(last=row["last"]))

    def apply_promotions(self) -> None:
        """A person already here takes the grade this competition promoted them to, if they still hold the grade
        it promoted them from; then what the archive says otherwise about them is reported, and left as it is here."""
        for row in self.rows.get("grade_changes", []):
            person = self.matched_persons.get(row["person_id"])
            of_this_competition = row["outcome_id"] in self.archived_outcomes and row["withdrawn_at"] is None
            if person is not None and of_this_competition and person.grade == row["grade_from"]:
                person.grade = row["grade_to"]
        for row in self.rows.get("persons", []):
            if row["id"] in self.matched_persons:
                self._note_differences(row, self.matched_persons[row["id"]])


def recompute_digests(competition, computed) -> None:
    """Put the digests of the results as recomputed here where the archive's matched the results it carried."""
    from compete.results.models import Publication, ResultReview

    digests = {event.code: results.digest for event, results in computed}
    event_codes = {event.id: event.code for event, _ in computed}
    for review in db.session.scalars(select(ResultReview).where(ResultReview.event_id.in_(event_codes))):
        if review.digest.startswith("current:"):
            review.digest = digests.get(review.digest.removeprefix("current:"), review.digest)
    for publication in db.session.scalars(select(Publication).where(Publication.competition_id == competition.id)):
        publication.digests = {
            code: digests.get(code, digest) if digest.startswith("current:") else digest
            for code, digest in publication.digests.items()
        }
