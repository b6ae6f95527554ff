"""Write the generated example scenarios: medium (shared ranks, absentees) and large (1,000 × 30 × 5).

Run: .venv/bin/python examples/generate.py medium > examples/medium.json
     .venv/bin/python examples/generate.py large > /tmp/large.json   (about 14 MB: generated, not kept in git)
The same seed always gives the same file.
"""

import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from compete.rules import idcard

UNITS = ("洋河酒厂", "宿迁市建工集团", "沭阳县职业教育中心", "泗阳县纺织公司", "宿迁技师学院学生处", "泗洪县农机站")
JUDGE_UNITS = ("宿迁市质量技术监督局", "江苏省焊接协会", "徐州工程学院", "淮安技师学院", "连云港职业技术学院")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红"


def id_number(serial: int) -> str:
    body = f"3213021985{serial // 28 % 12 + 1:02d}{serial % 28 + 1:02d}{serial % 1000:03d}"
    return body + idcard.check_character(body)


def event(
    rng: random.Random,
    code: str,
    *,
    competitors: int,
    criteria: int,
    judges: int,
    first: int,
    ties: int,
    absent: int,
    shared_ranks: bool = True,
) -> dict:
    kinds = ["judgement" if index % 3 == 2 else "measurement" for index in range(criteria)]
    scheme = [
        {
            "code": f"C{index + 1:02d}",
            "name": f"评分项{index + 1}",
            "kind": kind,
            "max": "10" if kind == "judgement" else "5",
            "step": "0.5",
        }
        if kind == "measurement"
        else {"code": f"C{index + 1:02d}", "name": f"评分项{index + 1}", "kind": kind, "max": "10"}
        for index, kind in enumerate(kinds)
    ]
    panel = [
        {"name": f"裁判{code}{index + 1}", "unit": JUDGE_UNITS[index % len(JUDGE_UNITS)]} for index in range(judges)
    ]
    people, marks = [], []
    for index in range(competitors):
        serial = first + index
        number = id_number(serial)
        name = SURNAMES[serial % len(SURNAMES)] + GIVEN[serial * 7 % len(GIVEN)] + GIVEN[serial * 3 % len(GIVEN)]
        status = "absent" if index >= competitors - absent else "present"
        # Competitors `ties` apart in the list share every figure, so they tie on every key.
        twin = index - index % 2 if index < 2 * ties else index
        theory = f"{60 + (twin * 37) % 40}.{(twin * 13) % 10}"
        people.append(
            {
                "name": name,
                "id_number": number,
                "unit": UNITS[serial % len(UNITS)],
                "grade": "g4",
                "theory": theory,
                "minutes": 100 + twin % 20,
                "status": status,
            }
        )
        if status == "absent":
            continue
        twin_rng = random.Random(twin * 7919 + first)
        for criterion in scheme:
            for judge in panel:
                if criterion["kind"] == "judgement":
                    value = str(twin_rng.randint(1, 3))
                else:
                    value = str(twin_rng.randint(4, 10) / 2)
                marks.append(
                    {"id_number": number, "judge": judge["name"], "criterion": criterion["code"], "value": value}
                )
    return {
        "code": code,
        "name": f"焊工({code})",
        "occupation": "焊工",
        "group": "worker",
        "weights": {"theory": "0.3", "practical": "0.7"},
        "aggregate": "trimmed_mean" if judges >= 3 else "mean",
        "tie_breaks": ["total", "time", "practical", "theory"],
        "award_scheme": "medals",
        "pass_mark": "60",
        "shared_ranks": shared_ranks,
        "criteria": scheme,
        "judges": panel,
        "competitors": people,
        "marks": marks,
    }


def competition(name: str) -> dict:
    return {
        "name": name,
        "level": "municipal-1",
        "year": 2026,
        "date": "2026-10-15",
        "organizer": "宿迁市人力资源和社会保障局",
        "policy": "tianjin-municipal-1",
    }


def medium() -> dict:
    rng = random.Random(2026)
    return {
        "competition": competition("2026年宿迁市职业技能大赛（示例：并列与缺考）"),
        "events": [
            event(rng, "HG-W", competitors=40, criteria=8, judges=5, first=100, ties=3, absent=4),
            event(rng, "HG-N", competitors=20, criteria=6, judges=3, first=200, ties=1, absent=2, shared_ranks=False),
        ],
    }


def large(events: int = 1, competitors: int = 1000) -> dict:
    rng = random.Random(2027)
    return {
        "competition": competition("2026年宿迁市职业技能大赛（示例：大型）"),
        "events": [
            event(
                rng,
                f"L{index + 1:03d}",
                competitors=competitors,
                criteria=30,
                judges=5,
                first=1000 + index * competitors,
                ties=5,
                absent=10,
            )
            for index in range(events)
        ],
    }


if __name__ == "__main__":
    kind = sys.argv[1] if len(sys.argv) > 1 else "medium"
    json.dump(
        {"medium": medium, "large": large}[kind](),
        sys.stdout,
        ensure_ascii=False,
        indent=None if kind == "large" else 1,
    )
