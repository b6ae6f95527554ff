"""Scenario files in, results out: the two contracts of DESIGN.md, and bad files refused with a path."""

import copy
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from compete.competitions.models import Competition
from compete.extensions import db
from tests.factories import make_user

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture
def runner(app):
    with app.app_context():
        make_user("admin")
        db.session.commit()
    return app.test_cli_runner()


def load(runner, tmp_path, scenario, *extra):
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(scenario, ensure_ascii=False), encoding="utf-8")
    return runner.invoke(args=["scenario", "load", str(path), *extra])


def competitions(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Competition))


def test_the_small_example_loads_and_exports_its_results_by_rank(app, runner):
    loaded = runner.invoke(args=["scenario", "load", str(EXAMPLES / "small.json")])
    assert loaded.exit_code == 0, loaded.output
    competition_id = int(loaded.output.strip().splitlines()[-1])
    exported = json.loads(runner.invoke(args=["results", "export", str(competition_id)]).output)
    welding = next(event for event in exported["events"] if event["code"] == "HG-W")
    table = [(r["name"], r["rank"], r["total"], r["award"]) for r in welding["results"]]
    # Trimmed mean of 3 judges is the middle mark; B1 is max 10 × score / 3; total = 0.3 theory + 0.7 practical.
    assert table[:3] == [("张伟", 1, "92.45", "gold"), ("刘洋", 2, "90.92", "silver"), ("王芳", 3, "80.27", "bronze")]
    assert table[-1] == ("杨磊", None, None, None)  # absent: no rank, not an entrant
    assert welding["results"][0]["id_number"] == "321302199003070019"
    assert set(welding["results"][0]) == {
        "id_number", "name", "rank", "theory", "practical", "total", "award", "titles", "nominations", "promotion",
        "basis",
    }  # fmt: skip
    assert next(e for e in exported["events"] if e["code"] == "DG-S")["results"] == []  # set up only
    assert exported["competition"]["final"] is False


def test_finalize_publishes_and_makes_the_results_final(app, runner):
    loaded = runner.invoke(args=["scenario", "load", str(EXAMPLES / "small.json"), "--finalize"])
    assert loaded.exit_code == 0, loaded.output
    exported = json.loads(runner.invoke(args=["results", "export", loaded.output.strip().splitlines()[-1]]).output)
    assert exported["competition"]["final"] is True


def small():
    return json.loads((EXAMPLES / "small.json").read_text(encoding="utf-8"))


def broken(change):
    scenario = copy.deepcopy(small())
    change(scenario)
    return scenario


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda s: s["events"][0].update(colour="red"), "events[0].colour: unknown key"),
        (lambda s: s["events"][0]["marks"][12].update(criterion="Z9"), "events[0].marks[12].criterion"),
        (lambda s: s["events"][0]["marks"][3].update(judge="王五"), "events[0].marks[3].judge"),
        (lambda s: s["events"][0]["weights"].update(practical="0.6"), "events[0].weights: theory and practical"),
        (
            lambda s: s["events"][0]["competitors"][1].update(id_number=s["events"][0]["competitors"][0]["id_number"]),
            "events[0].competitors[1].id_number: appears twice",
        ),
        (lambda s: s["events"][0]["marks"][0].update(value="25"), "events[0].marks"),  # above A1's maximum of 20
        (lambda s: s["competition"].update(policy="nowhere"), "competition: "),
        (lambda s: s["events"][0]["competitors"][5].update(id_number="321302199003070010"), "competitors[5]"),
    ],
    ids=["unknown key", "criterion", "judge", "weights", "duplicate id", "mark above max", "policy", "bad id"],
)
def test_a_bad_scenario_is_refused_with_the_path_and_nothing_is_loaded(app, runner, tmp_path, change, path):
    result = load(runner, tmp_path, broken(change))
    assert result.exit_code == 1
    assert path in result.output
    assert competitions(app) == 0


def test_malformed_json_is_refused(app, runner, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"competition": ', encoding="utf-8")
    result = runner.invoke(args=["scenario", "load", str(path)])
    assert result.exit_code == 1 and "not valid JSON" in result.output
    assert competitions(app) == 0
