"""Issuing certificates from final results and approved rounds: numbers, idempotency, revoking, reissuing, designs."""

import base64
import io
import re
import struct
import zlib
from datetime import datetime

import pytest
from flask_babel import force_locale
from PIL import Image
from sqlalchemy import func, select

from compete.audit.models import AuditEntry
from compete.certificates import designs
from compete.certificates import services as certificates
from compete.certificates.models import Certificate, CertificateKind, CertificateStatus, Seal, Sequence
from compete.errors import Conflict, InvalidInput
from compete.extensions import db
from compete.honours import services as honours
from compete.results import finalization
from compete.results import services as results
from compete.rules import numbering
from tests.certificate_world import ABSENT, CHEN, LI, LIU, WANG, ZHANG, closed_round, final, loaded, person
from tests.factories import make_user

AWARD, HONOUR = CertificateKind.AWARD, CertificateKind.HONOUR
PROMOTION, PARTICIPATION = CertificateKind.PROMOTION, CertificateKind.PARTICIPATION


@pytest.fixture
def organizer(ctx):
    with force_locale("en"):
        yield make_user("organizer")


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def audit_entries(action: str) -> list[AuditEntry]:
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)).all()


def sequences() -> dict[str, int]:
    return dict(db.session.execute(select(Sequence.key, Sequence.last)).all())


def set_pattern(organizer, competition, kind, pattern):
    design = designs.design_of(designs.issuer_of_competition(competition), kind)
    designs.save_design(
        organizer,
        design,
        enabled=True,
        layout=design.layout,
        title=design.title,
        wording=design.wording,
        number_pattern=pattern,
        year=competition.year,
    )


def set_code(organizer, competition, code):
    issuer = designs.issuer_of_competition(competition)
    designs.save_issuer(organizer, issuer, code=code, authority=issuer.authority, issued_on=None, year=competition.year)


# ---------------------------------------------------------------- issuing


def test_certificates_are_issued_from_final_results_only(organizer):
    competition = loaded(organizer)
    with pytest.raises(Conflict, match="final results only: finalize the results first"):
        certificates.issue_certificates(organizer, competition)
    results.publish(organizer, competition, publicity_days=0, appeal_hours=0)  # published is not final yet
    with pytest.raises(Conflict, match="final results only"):
        certificates.issue_certificates(organizer, competition)
    assert count(Certificate) == 0 and audit_entries("certificates.issue") == []
    finalization.finalize(organizer, competition)
    assert len(certificates.issue_certificates(organizer, competition)) == 5  # no policy applied: awards only


def test_every_final_outcome_gets_its_certificate_in_the_order_of_the_results(organizer):
    competition = final(organizer)
    issued = certificates.issue_certificates(organizer, competition)
    assert [(c.number, c.kind, c.person.id_number) for c in issued] == [
        (f"2026C{competition.id}-HJ0001", AWARD, ZHANG),
        (f"2026C{competition.id}-HJ0002", AWARD, LIU),
        (f"2026C{competition.id}-HJ0003", AWARD, WANG),
        (f"2026C{competition.id}-CS0001", PARTICIPATION, LI),
        (f"2026C{competition.id}-CS0002", PARTICIPATION, CHEN),
        (f"2026C{competition.id}-JS0001", PROMOTION, ZHANG),
        (f"2026C{competition.id}-JS0002", PROMOTION, LIU),
        (f"2026C{competition.id}-JS0003", PROMOTION, WANG),
        (f"2026C{competition.id}-JS0004", PROMOTION, LI),
        (f"2026C{competition.id}-JS0005", PROMOTION, CHEN),
    ]
    assert person(ABSENT).id not in {c.person_id for c in issued}  # the absent competitor gets nothing
    assert all(c.status == CertificateStatus.VALID and c.issued_by_id == organizer.id for c in issued)
    gold, promotion = issued[0], issued[5]
    facts = gold.content["facts"]
    assert (facts["name"], facts["rank"], facts["award"], facts["event"]) == ("张伟", 1, "gold", "焊工(职工组)")
    assert facts["id_number"] == "3213**********0019"  # what is printed and shown is masked, frozen at issue
    assert ZHANG not in str(gold.content)
    assert (gold.content["authority"], gold.content["issued_on"]) == ("宿迁市人力资源和社会保障局", "2026-10-15")
    assert (promotion.content["facts"]["grade_from"], promotion.content["facts"]["grade_to"]) == ("g3", "g2")
    (entry,) = audit_entries("certificates.issue")
    assert entry.competition_id == competition.id and entry.actor_id == organizer.id
    assert entry.after == {"issued": 10, "first": issued[0].number, "last": issued[-1].number}


def test_titles_give_honour_certificates_and_nominations_none(organizer):
    competition = final(organizer, policy="zhejiang")
    issued = certificates.issue_certificates(organizer, competition)
    honour = [c for c in issued if c.kind == HONOUR]
    assert [(c.person.id_number, c.content["facts"]["title"]) for c in honour] == [
        (ZHANG, "市技术能手"),
        (LIU, "市技术能手"),
    ]
    assert [c.number for c in honour] == [f"2026C{competition.id}-RY0001", f"2026C{competition.id}-RY0002"]
    tianjin = final(organizer, name="同年另一场比赛")  # nominates its first for 天津市技术能手: not a certificate
    assert HONOUR not in {c.kind for c in certificates.issue_certificates(organizer, tianjin)}


def test_a_disabled_kind_is_not_issued(organizer):
    competition = final(organizer)
    design = designs.design_of(designs.issuer_of_competition(competition), PARTICIPATION)
    designs.save_design(
        organizer,
        design,
        enabled=False,
        layout="landscape",
        title="",
        wording="",
        number_pattern=design.number_pattern,
        year=2026,
    )
    assert PARTICIPATION not in {c.kind for c in certificates.issue_certificates(organizer, competition)}


def test_issuing_again_gives_the_same_certificates_and_takes_no_number(organizer):
    competition = final(organizer)
    first = certificates.issue_certificates(organizer, competition)
    before = [(c.id, c.number, c.token) for c in first]
    counters = sequences()
    again = certificates.issue_certificates(organizer, competition)
    assert [(c.id, c.number, c.token) for c in again] == before
    assert count(Certificate) == 10 and sequences() == counters
    assert len(audit_entries("certificates.issue")) == 1  # nothing new, nothing audited


def test_a_batch_that_fails_midway_leaves_no_certificate_and_no_number_taken(organizer, monkeypatch):
    from compete.certificates import sources

    competition = final(organizer)
    db.session.commit()
    content, calls = sources.content, []

    def fails_on_the_fourth(*args, **kwargs):
        calls.append(1)
        if len(calls) == 4:
            raise OSError("the database server went away")
        return content(*args, **kwargs)

    monkeypatch.setattr(sources, "content", fails_on_the_fourth)
    with pytest.raises(OSError):
        certificates.issue_certificates(organizer, competition)
    db.session.rollback()  # what the request's teardown does with an unfinished transaction
    assert count(Certificate) == 0 and sequences() == {} and audit_entries("certificates.issue") == []
    monkeypatch.setattr(sources, "content", content)
    issued = certificates.issue_certificates(organizer, competition)
    assert sorted(c.number[-4:] for c in issued if c.kind == AWARD) == ["0001", "0002", "0003"]


def test_numbers_are_gap_free_within_each_sequence_and_unique(organizer):
    competitions = [final(organizer), final(organizer, policy="zhejiang", name="第二场比赛")]
    issued = [c for competition in competitions for c in certificates.issue_certificates(organizer, competition)]
    numbers = [c.number for c in issued]
    assert len(set(numbers)) == len(numbers) == 17  # 10 of the first; 3 awards, 2 participations, 2 titles
    by_prefix: dict[str, list[int]] = {}
    for number in numbers:
        prefix, sequence = re.fullmatch(r"(.*\D)(\d{4})", number).groups()
        by_prefix.setdefault(prefix, []).append(int(sequence))
    assert {prefix: sorted(taken) for prefix, taken in by_prefix.items()} == {
        prefix: list(range(1, len(taken) + 1)) for prefix, taken in by_prefix.items()
    }
    assert len(by_prefix) == 6  # HJ, CS, JS of the first; HJ, CS, RY of the second
    assert sequences() == {prefix + numbering.SEQ_MARK: len(taken) for prefix, taken in by_prefix.items()}


def test_two_competitions_with_the_same_pattern_share_a_sequence_without_collision(organizer):
    first, second = final(organizer), final(organizer, name="第二场比赛")
    for competition in (first, second):
        for kind in (AWARD, PARTICIPATION, PROMOTION):
            set_pattern(organizer, competition, kind, "{year}-{kind}{seq:4}")
    numbers = {
        competition.id: [c.number for c in certificates.issue_certificates(organizer, competition) if c.kind == AWARD]
        for competition in (first, second)
    }
    assert numbers == {
        first.id: ["2026-HJ0001", "2026-HJ0002", "2026-HJ0003"],
        second.id: ["2026-HJ0004", "2026-HJ0005", "2026-HJ0006"],
    }
    counters = sequences()
    # No promotions from the second: one competition promotion per person and year.
    assert (counters["2026-HJ#"], counters["2026-CS#"], counters["2026-JS#"]) == (6, 4, 5)
    assert count(Certificate) == 15 and len({c.number for c in db.session.scalars(select(Certificate))}) == 15


def test_a_collision_between_different_patterns_is_refused_and_nothing_is_written(organizer):
    # Issuer A1 numbers A1 + 0001; issuer A10 numbers A10 + 001: both print A10001.
    first, second = final(organizer), final(organizer, name="第二场比赛")
    set_code(organizer, first, "A1")
    set_pattern(organizer, first, AWARD, "{competition}{seq:4}")
    set_code(organizer, second, "A10")
    set_pattern(organizer, second, AWARD, "{competition}{seq:3}")
    assert [c.number for c in certificates.issue_certificates(organizer, first)][:3] == ["A10001", "A10002", "A10003"]
    counters, entries = sequences(), len(audit_entries("certificates.issue"))
    with pytest.raises(Conflict) as refused:
        certificates.issue_certificates(organizer, second)
    assert str(refused.value.message) == (
        "The number A10001 is already on another certificate (another pattern gives it too): change this pattern, "
        "e.g. by adding the competition code."
    )
    assert count(Certificate, Certificate.competition_id == second.id) == 0
    assert {key: last for key, last in sequences().items() if last} == counters  # no counter moved
    assert len(audit_entries("certificates.issue")) == entries
    set_pattern(organizer, second, AWARD, "{competition}-{seq:3}")
    renumbered = certificates.issue_certificates(organizer, second)
    assert [c.number for c in renumbered][:3] == ["A10-001", "A10-002", "A10-003"]  # no number was lost


def test_two_patterns_of_one_batch_giving_the_same_number_are_refused(organizer):
    competition = final(organizer)
    set_pattern(organizer, competition, AWARD, "X{seq:4}")  # X0001, X0002, X0003
    set_pattern(organizer, competition, PARTICIPATION, "X0{seq:3}")  # X0001, X0002
    with pytest.raises(Conflict, match="The number X0001 is already on another certificate"):
        certificates.issue_certificates(organizer, competition)
    assert count(Certificate) == 0
    assert not any(sequences().values())


def test_a_pattern_whose_code_a_number_cannot_carry_is_refused_at_issue(organizer):
    competition = final(organizer)
    set_pattern(organizer, competition, AWARD, "{event}{seq}")
    event = next(event for event in competition.events if event.code == "HG-W")
    event.code = "焊工"  # codes are checked by their own forms; a number still must not carry this
    with pytest.raises(InvalidInput, match="The event code holds characters a number may not carry"):
        certificates.issue_certificates(organizer, competition)
    assert count(Certificate) == 0


def test_tokens_are_long_random_and_unique(organizer):
    issued = certificates.issue_certificates(organizer, final(organizer))
    issued += certificates.issue_certificates(organizer, final(organizer, policy="zhejiang", name="第二场比赛"))
    tokens = [c.token for c in issued]
    assert len(set(tokens)) == len(tokens) == 17
    for certificate in issued:
        assert re.fullmatch(r"[A-Za-z0-9_-]+", certificate.token)
        raw = base64.urlsafe_b64decode(certificate.token + "=" * (-len(certificate.token) % 4))
        assert len(raw) * 8 >= 128
        assert certificate.number not in certificate.token
    assert certificates.by_token(issued[3].token) is issued[3]
    assert certificates.by_number(f"  {issued[3].number} ") is issued[3]
    assert certificates.by_token(issued[3].token[:-1]) is None and certificates.by_token("x" * 65) is None
    assert certificates.by_number("") is None and certificates.by_token("") is None


# ---------------------------------------------------------------- revoking and reissuing


@pytest.mark.parametrize(
    ("reason", "message"), [("", "Give the reason"), ("   ", "Give the reason"), ("x" * 501, "too long")]
)
def test_revoking_needs_a_reason(organizer, reason, message):
    certificate = certificates.issue_certificates(organizer, final(organizer))[0]
    with pytest.raises(InvalidInput, match=message) as refused:
        certificates.revoke(organizer, certificate, reason)
    assert refused.value.field == "reason"
    assert certificate.status == CertificateStatus.VALID and certificate.revoked_at is None
    assert audit_entries("certificates.revoke") == []


def test_a_revoked_certificate_keeps_date_and_reason_and_a_batch_does_not_issue_it_again(organizer):
    competition = final(organizer)
    issued = certificates.issue_certificates(organizer, competition)
    certificate = issued[1]
    certificates.revoke(organizer, certificate, "  cheating found after the event  ")
    assert certificate.status == CertificateStatus.REVOKED
    assert isinstance(certificate.revoked_at, datetime) and certificate.revoked_by_id == organizer.id
    assert certificate.revoked_reason == "cheating found after the event"
    (entry,) = audit_entries("certificates.revoke")
    assert (entry.object_id, entry.before, entry.after) == (
        str(certificate.id),
        {"status": "valid"},
        {"status": "revoked", "reason": "cheating found after the event", "number": certificate.number},
    )
    counters = sequences()
    again = certificates.issue_certificates(organizer, competition)
    assert again[1] is certificate and certificate.status == CertificateStatus.REVOKED
    assert count(Certificate) == 10 and sequences() == counters
    assert certificate not in certificates.valid_certificates(competition_id=competition.id)
    assert len(certificates.valid_certificates(competition_id=competition.id)) == 9
    with pytest.raises(Conflict, match=f"Certificate {certificate.number} is no longer valid"):
        certificates.revoke(organizer, certificate, "again")
    with pytest.raises(Conflict, match="no longer valid"):
        certificates.reissue(organizer, certificate, "a new one")


def test_reissue_after_a_name_correction_gives_a_new_number_and_links_both_ways(organizer):
    competition = final(organizer)
    issued = certificates.issue_certificates(organizer, competition)
    old = issued[0]
    person(ZHANG).name = "张玮"  # corrected in the registry
    new = certificates.reissue(organizer, old, "name misspelt")
    assert new.number == f"2026C{competition.id}-HJ0004"  # the next of its sequence: no number reused
    assert (old.status, old.superseded_by, old.revoked_reason) == (CertificateStatus.SUPERSEDED, new, "name misspelt")
    assert (new.status, new.supersedes, new.superseded_by) == (CertificateStatus.VALID, old, None)
    assert new.content["facts"]["name"] == "张玮" and old.content["facts"]["name"] == "张伟"  # old stays as printed
    assert new.token != old.token and new.source_key == old.source_key
    (entry,) = audit_entries("certificates.reissue")
    assert (entry.before, entry.after) == ({"number": old.number}, {"number": new.number, "reason": "name misspelt"})
    # The batch now finds the new one for this source, and issues nothing else.
    again = certificates.issue_certificates(organizer, competition)
    assert again[0] is new and count(Certificate) == 11
    numbers = [c.number for c in db.session.scalars(select(Certificate))]
    assert len(set(numbers)) == len(numbers)
    newer = certificates.reissue(organizer, new, "unit changed")
    assert newer.number == f"2026C{competition.id}-HJ0005" and newer.supersedes is new
    assert [c.number for c in certificates.valid_certificates(competition_id=competition.id)].count(old.number) == 0
    with pytest.raises(InvalidInput, match="Give the reason"):
        certificates.reissue(organizer, newer, " ")


def test_reopening_revokes_and_the_next_issue_names_what_it_replaces(organizer):
    competition = final(organizer)
    first = certificates.issue_certificates(organizer, competition)
    finalization.reopen(organizer, competition, "appeal upheld")
    assert {c.status for c in first} == {CertificateStatus.REVOKED}
    assert {c.revoked_reason for c in first} == {"The results were reopened: appeal upheld"}
    assert certificates.valid_certificates(competition_id=competition.id) == []
    (entry,) = audit_entries("certificates.revoke_all")
    assert entry.after == {"revoked": 10, "reason": "appeal upheld"}
    with pytest.raises(Conflict, match="final results only"):
        certificates.issue_certificates(organizer, competition)
    finalization.finalize(organizer, competition)
    honours.apply_policy(organizer, competition)
    honours.confirm_all(organizer, competition)
    second = certificates.issue_certificates(organizer, competition)
    assert len(second) == 10
    assert not {c.number for c in first} & {c.number for c in second}
    assert [c.number for c in second][:3] == [f"2026C{competition.id}-HJ000{n}" for n in (4, 5, 6)]
    for old, new in zip(first, second, strict=True):
        # Awards are keyed by entry, promotions by registration: both find the certificate they replace.
        assert (new.kind, new.person_id, new.supersedes) == (old.kind, old.person_id, old)
        assert old.superseded_by is new and old.status == CertificateStatus.REVOKED


def test_a_withdrawn_promotion_takes_its_certificate_with_it(organizer):
    competition = final(organizer)
    issued = certificates.issue_certificates(organizer, competition)
    promoted = [c for c in issued if c.kind == PROMOTION]
    assert len(promoted) == 5
    competition.policy_preset = "zhejiang"  # titles for the first two instead of promotions
    honours.apply_policy(organizer, competition)
    assert {c.status for c in promoted} == {CertificateStatus.REVOKED}
    assert all(c.held_key is None and c.revoked_reason for c in promoted)
    assert {c.status for c in issued if c.kind != PROMOTION} == {CertificateStatus.VALID}
    assert len(audit_entries("certificates.revoke")) == 5


# ---------------------------------------------------------------- selection rounds


def test_a_round_issues_honour_certificates_only_once_closed(organizer):
    at_approval = closed_round(organizer, approve=False)
    with pytest.raises(Conflict, match="once the round's approval is recorded"):
        certificates.issue_round_certificates(organizer, at_approval)
    assert count(Certificate) == 0


def test_a_closed_round_issues_an_honour_certificate_per_title_awarded(organizer):
    selection_round = closed_round(organizer, title="宿迁市首席技师")
    issued = certificates.issue_round_certificates(organizer, selection_round)
    assert [(c.kind, c.person.name, c.content["facts"]["title"]) for c in issued] == [
        (HONOUR, "王秀英", "宿迁市首席技师"),
        (HONOUR, "郑浩", "宿迁市首席技师"),
    ]
    assert [c.number for c in issued] == [f"2026R{selection_round.id}-RY0001", f"2026R{selection_round.id}-RY0002"]
    assert all(c.round_id == selection_round.id and c.competition_id is None for c in issued)
    assert issued[0].content["facts"]["from_round"] is True
    assert issued[0].content["authority"] == "宿迁市人力资源和社会保障局"
    assert [c.id for c in certificates.issue_round_certificates(organizer, selection_round)] == [c.id for c in issued]
    assert certificates.valid_certificates(round_id=selection_round.id) == issued
    renamed = certificates.reissue(organizer, issued[1], "name misspelt")
    assert renamed.supersedes is issued[1] and renamed.round_id == selection_round.id


# ---------------------------------------------------------------- designs


def design_for(organizer):
    competition = final(organizer)
    return designs.design_of(designs.issuer_of_competition(competition), AWARD)


def save(organizer, design, **changes):
    values = {
        "enabled": True,
        "layout": "landscape",
        "title": "",
        "wording": "",
        "number_pattern": designs.DEFAULT_PATTERN,
        "year": 2026,
    } | changes
    designs.save_design(organizer, design, **values)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"wording": "{{ name }:\n获奖"}, "wording", "The wording has a placeholder error on line 1"),
        ({"wording": "{{ name }}\n{% if award %}获奖"}, "wording", "The wording has a placeholder error on line 2"),
        ({"wording": "{% include 'base.html' %}"}, "wording", "The wording may not include, import or extend"),
        ({"wording": "{% extends 'base.html' %}"}, "wording", "The wording may not include, import or extend"),
        ({"wording": "{% import 'macros.html' as m %}"}, "wording", "The wording may not include, import or extend"),
        ({"wording": "{{ salary }}"}, "wording", "The wording uses an unknown placeholder ('salary' is undefined)"),
        ({"wording": "{{ name.__class__.__mro__ }}"}, "wording", "The wording"),
        ({"wording": "{{ name.format.__globals__ }}"}, "wording", "The wording"),
        ({"wording": "字" * 1001}, "wording", "The wording is too long: at most 1000 characters."),
        ({"title": "荣" * 41}, "title", "The title is too long: at most 40 characters."),
        ({"layout": "square"}, "layout", "Choose landscape or portrait."),
        ({"number_pattern": "{year}{kind}"}, "number_pattern", "The pattern needs a sequence"),
        ({"number_pattern": "证书{seq}"}, "number_pattern", "letters, digits and . _ / - only, not “证”"),
        ({"number_pattern": "{name}{seq}"}, "number_pattern", "unknown token {name}"),
        ({"number_pattern": "{seq:12}"}, "number_pattern", "The sequence width in {seq:12} must be 1 to 9 digits."),
    ],
)
def test_a_broken_design_is_refused_with_a_clear_message_and_not_kept(organizer, changes, field, message):
    design = design_for(organizer)
    before = (design.version, design.wording, design.title, design.layout, design.number_pattern)
    with pytest.raises(InvalidInput) as refused:
        save(organizer, design, **changes)
    assert message in str(refused.value.message)
    assert refused.value.field == field
    assert (design.version, design.wording, design.title, design.layout, design.number_pattern) == before
    assert audit_entries("certificates.design") == []


def test_a_good_design_is_kept_as_a_new_version_with_a_trail(organizer):
    design = design_for(organizer)
    wording = "{{ name }}同志：\n在{{ competition }}{{ event }}中荣获{{ award }}。\n特发此证。"
    save(organizer, design, title="荣誉证书", wording=f"  {wording}\n", layout="portrait", number_pattern=" ZS{seq:5} ")
    assert (design.version, design.title, design.wording, design.layout, design.number_pattern) == (
        2,
        "荣誉证书",
        wording,
        "portrait",
        "ZS{seq:5}",
    )
    (entry,) = audit_entries("certificates.design")
    assert entry.before["version"] == 1 and entry.after["version"] == 2 and entry.after["layout"] == "portrait"
    issued = certificates.issue_certificates(organizer, design.issuer.competition)
    gold = issued[0]
    assert gold.number == "ZS00001"
    assert (gold.content["wording"], gold.content["title"], gold.content["layout"]) == (wording, "荣誉证书", "portrait")
    assert gold.content["design_version"] == 2


def test_an_issuer_code_a_pattern_cannot_carry_is_refused(organizer):
    competition = final(organizer)
    issuer = designs.issuer_of_competition(competition)
    designs.design_of(issuer, AWARD)
    for code in ("", "宿迁", "A B", "X" * 21):
        with pytest.raises(InvalidInput, match="1 to 20 letters, digits"):
            designs.save_issuer(organizer, issuer, code=code, authority="宿迁市人社局", issued_on=None, year=2026)
    with pytest.raises(InvalidInput, match="Give the issuing authority"):
        designs.save_issuer(organizer, issuer, code="SQ", authority="  ", issued_on=None, year=2026)
    assert audit_entries("certificates.issuer") == []
    # A 20-character code makes this pattern's numbers 41 characters long: refused, and the issuer unchanged.
    set_pattern(organizer, competition, AWARD, "{year}-{competition}-{kind}-{event}-{seq:9}")
    code = issuer.code
    with pytest.raises(InvalidInput, match="longer than 40 characters") as refused:
        designs.save_issuer(organizer, issuer, code="C" * 20, authority="宿迁市人社局", issued_on=None, year=2026)
    assert refused.value.field == "code"
    assert (issuer.code, issuer.authority) == (code, "宿迁市人力资源和社会保障局")
    assert audit_entries("certificates.issuer") == []
    designs.save_issuer(organizer, issuer, code="SQ-26", authority=" 宿迁市人社局 ", issued_on=None, year=2026)
    assert (issuer.code, issuer.authority) == ("SQ-26", "宿迁市人社局")
    assert audit_entries("certificates.issuer")[-1].after["code"] == "SQ-26"


# ---------------------------------------------------------------- seals


def png(width=300, height=300, *, noise=False) -> bytes:
    image = Image.new("RGBA", (width, height), (208, 22, 27, 255))
    if noise:
        image = Image.effect_noise((width, height), 80).convert("RGBA")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG signature and header claiming this size, with a token of pixel data: read without decoding."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0")) + chunk(b"IEND", b"")


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 300), (208, 22, 27)).save(buffer, "JPEG")
    return buffer.getvalue()


def corrupt_png() -> bytes:
    data = bytearray(png(noise=True))
    for index in range(len(data) // 2, len(data) // 2 + 100):
        data[index] ^= 0xFF
    return bytes(data)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (lambda: b"not an image at all", "The seal file is not an image Pillow can read."),
        (lambda: b"", "The seal file is not an image Pillow can read."),
        (lambda: b"\x89PNG\r\n\x1a\n" + bytes(50 * 1024 * 1024), "The seal image is too large: at most 2 MB."),
        (jpeg, "The seal must be a PNG image, not JPEG."),
        (lambda: png(150, 300), "The seal must be 200 to 4000 pixels wide and high; this one is 150 × 300."),
        (lambda: png_header_only(5000, 5000), "The seal must be 200 to 4000 pixels wide and high; this one is 5000"),
        (lambda: png_header_only(20000, 20000), "The seal file is not an image Pillow can read."),  # a bomb
        (lambda: png(noise=True)[:40000], "The seal file is not an image Pillow can read."),  # truncated
        (corrupt_png, "The seal file is not an image Pillow can read."),
    ],
)
def test_a_bad_seal_is_refused_and_nothing_is_kept(organizer, data, message):
    issuer = designs.issuer_of_competition(final(organizer))
    with pytest.raises(InvalidInput) as refused:
        designs.upload_seal(organizer, issuer, data())
    assert str(refused.value.message).startswith(message) and refused.value.field == "seal"
    assert issuer.seal_id is None and count(Seal) == 0
    assert audit_entries("certificates.seal") == []


def test_a_good_seal_is_kept_and_printed_on_what_is_issued_next(organizer):
    competition = final(organizer)
    issuer = designs.issuer_of_competition(competition)
    data = png(400, 400, noise=True)
    seal = designs.upload_seal(organizer, issuer, data)
    assert (seal.png, seal.width, seal.height, seal.owner_id) == (data, 400, 400, organizer.id)
    assert issuer.seal_id == seal.id
    (entry,) = audit_entries("certificates.seal")
    assert (entry.before, entry.after) == ({"seal_id": None}, {"seal_id": seal.id})
    issued = certificates.issue_certificates(organizer, competition)
    assert {c.content["seal_id"] for c in issued} == {seal.id}
    designs.use_generated_seal(organizer, issuer)
    db.session.flush()
    assert issuer.seal is None and issuer.seal_id is None
    assert audit_entries("certificates.seal")[-1].after == {"seal_id": None}
    assert issued[0].content["seal_id"] == seal.id  # what was issued keeps the seal it was issued with
