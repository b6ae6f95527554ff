"""Organizer screens of certificates: settings, designs with a preview, issuing, batch printing, revoking."""

from urllib.parse import quote

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from compete.audit import services as audit
from compete.certificates import artwork, designs, fonts, printing
from compete.certificates import jobs as certificate_jobs
from compete.certificates import services as certificates
from compete.certificates.forms import ActionForm, DesignForm, IssuerForm, PrintForm, ReasonForm, SealForm
from compete.certificates.models import Certificate, CertificateKind, Issuer, PrintFile
from compete.competitions.models import Competition, Event
from compete.errors import CompeteError
from compete.extensions import db
from compete.honours.models import SelectionRound
from compete.jobs import runner
from compete.jobs import services as jobs
from compete.labels import is_chinese
from compete.results.services import is_final, result_events
from compete.web.access import owned_or_403
from compete.web.admin import bp
from compete.web.admin.jobs import JobScreens, job_screens
from compete.web.feedback import show_error


def _may_manage(issuer: Issuer) -> bool:
    return current_user.is_admin or issuer.owner_id == current_user.id


def _issuer_or_404(issuer_id: int) -> Issuer:
    issuer = db.session.get(Issuer, issuer_id)
    if issuer is None:
        abort(404)
    if not _may_manage(issuer):
        abort(403)
    return issuer


def _certificate_or_404(certificate_id: int) -> Certificate:
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None:
        abort(404)
    if not _may_manage(certificate.issuer):
        abort(403)
    return certificate


def _home(issuer: Issuer) -> str:
    if issuer.competition_id is not None:
        return url_for("admin.competition_certificates", competition_id=issuer.competition_id)
    return url_for("admin.round_certificates", round_id=issuer.round_id)


def _kinds(issuer: Issuer) -> list[CertificateKind]:
    return list(CertificateKind) if issuer.competition_id is not None else [CertificateKind.HONOUR]


def _pdf(content: bytes, file_name: str, *, download: bool = False) -> Response:
    response = Response(content, mimetype="application/pdf")
    disposition = "attachment" if download else "inline"
    response.headers["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(file_name)}"
    return response


def _page(issuer: Issuer, *, final: bool, events=(), issuer_form=None):
    issued = certificates.certificates_of(competition_id=issuer.competition_id, round_id=issuer.round_id)
    source = (
        PrintFile.competition_id == issuer.competition_id
        if issuer.competition_id
        else PrintFile.round_id == issuer.round_id
    )
    prints = db.session.execute(
        select(PrintFile.id, PrintFile.file_name, PrintFile.count, PrintFile.created_at)
        .where(PrintFile.owner_id == current_user.id, source)
        .order_by(PrintFile.id.desc())
        .limit(5)
    ).all()
    return render_template(
        "admin/certificates.html",
        issuer=issuer,
        final=final,
        events=events,
        design_rows=[
            (kind, design, designs.check_pattern(issuer, kind, design.number_pattern, year=issuer.year))
            for kind in _kinds(issuer)
            for design in [designs.design_of(issuer, kind)]
        ],
        issued=issued,
        valid_count=sum(1 for c in issued if c.status.value == "valid"),
        prints=prints,
        font_warnings=fonts.missing_font_warnings(),
        issuer_form=issuer_form or IssuerForm(obj=issuer),
        seal_form=SealForm(),
        action_form=ActionForm(),
        print_form=PrintForm(),
    )


@bp.get("/competitions/<int:competition_id>/certificates")
def competition_certificates(competition_id: int):
    competition = owned_or_403(Competition, competition_id)
    issuer = designs.issuer_of_competition(competition)
    page = _page(issuer, final=is_final(competition.id), events=result_events(competition))
    db.session.commit()  # the issuer and its default designs, made on first visit
    return page


@bp.get("/selection/<int:round_id>/certificates")
def round_certificates(round_id: int):
    selection_round = db.session.get(SelectionRound, round_id)
    if selection_round is None:
        abort(404)
    if not current_user.is_admin and selection_round.owner_id != current_user.id:
        abort(403)
    issuer = designs.issuer_of_round(selection_round)
    page = _page(issuer, final=selection_round.stage.value == "closed")
    db.session.commit()
    return page


@bp.post("/certificate-issuers/<int:issuer_id>")
def save_issuer(issuer_id: int):
    issuer = _issuer_or_404(issuer_id)
    form = IssuerForm()
    if form.validate_on_submit():
        try:
            designs.save_issuer(
                current_user,
                issuer,
                code=form.code.data,
                authority=form.authority.data,
                issued_on=form.issued_on.data,
                year=issuer.year,
            )
        except CompeteError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Saved. Certificates issued from now on carry these settings."), "success")
            return redirect(_home(issuer))
    for errors in form.errors.values():
        for message in errors:
            flash(message, "danger")
    return redirect(_home(issuer))


@bp.post("/certificate-issuers/<int:issuer_id>/seal")
def upload_seal(issuer_id: int):
    issuer = _issuer_or_404(issuer_id)
    form = SealForm()
    if not form.validate_on_submit():
        flash(_("Choose a PNG file."), "danger")
        return redirect(_home(issuer))
    try:
        designs.upload_seal(current_user, issuer, form.seal.data.read(designs.SEAL_MAX_BYTES + 1))
    except CompeteError as error:
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(_("The seal was uploaded. Check it on a preview."), "success")
    return redirect(_home(issuer))


@bp.post("/certificate-issuers/<int:issuer_id>/seal/generated")
def generated_seal(issuer_id: int):
    issuer = _issuer_or_404(issuer_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    designs.use_generated_seal(current_user, issuer)
    db.session.commit()
    flash(_("Certificates will carry a seal drawn from the authority's name."), "success")
    return redirect(_home(issuer))


@bp.get("/certificate-issuers/<int:issuer_id>/seal.png")
def seal_image(issuer_id: int):
    issuer = _issuer_or_404(issuer_id)
    png = issuer.seal.png if issuer.seal is not None else artwork.generated_seal(issuer.authority)
    return Response(png, mimetype="image/png")


@bp.route("/certificate-issuers/<int:issuer_id>/designs/<kind>", methods=["GET", "POST"])
def edit_design(issuer_id: int, kind: str):
    issuer = _issuer_or_404(issuer_id)
    if kind not in {k.value for k in _kinds(issuer)}:
        abort(404)
    design = designs.design_of(issuer, CertificateKind(kind))
    form = DesignForm(obj=design)
    if form.validate_on_submit():
        try:
            designs.save_design(
                current_user,
                design,
                enabled=form.enabled.data,
                layout=form.layout.data,
                title=form.title.data or "",
                wording=form.wording.data or "",
                number_pattern=form.number_pattern.data,
                year=issuer.year,
            )
        except CompeteError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Saved as version %(version)d.", version=design.version), "success")
            return redirect(url_for("admin.edit_design", issuer_id=issuer.id, kind=kind))
    db.session.commit()  # a design made on first visit
    return render_template(
        "admin/certificate_design.html",
        issuer=issuer,
        design=design,
        form=form,
        home=_home(issuer),
        default_title=designs.DEFAULT_TITLES[design.kind],
        default_wording=designs.default_wording(design.kind, from_round=issuer.round_id is not None),
        placeholders=printing.wordings.PLACEHOLDERS,
    )


@bp.get("/certificate-issuers/<int:issuer_id>/designs/<kind>/preview.pdf")
def preview_design(issuer_id: int, kind: str):
    issuer = _issuer_or_404(issuer_id)
    if kind not in {k.value for k in _kinds(issuer)}:
        abort(404)
    try:
        pdf = printing.preview_pdf(issuer, CertificateKind(kind))
    except CompeteError as error:
        flash(error.message, "danger")
        return redirect(url_for("admin.edit_design", issuer_id=issuer.id, kind=kind))
    finally:
        db.session.rollback()  # a preview writes nothing
    return _pdf(pdf, f"{_('Specimen')}-{kind}.pdf")


@bp.post("/certificate-issuers/<int:issuer_id>/issue")
def issue_certificates(issuer_id: int):
    issuer = _issuer_or_404(issuer_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        if issuer.competition is not None:
            issued = certificates.issue_certificates(current_user, issuer.competition)
        else:
            issued = certificates.issue_round_certificates(current_user, issuer.round)
    except CompeteError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(_("%(count)d certificates stand issued.", count=len(issued)), "success")
    return redirect(_home(issuer))


@bp.post("/certificate-issuers/<int:issuer_id>/print")
def print_certificates(issuer_id: int):
    issuer = _issuer_or_404(issuer_id)
    form = PrintForm()
    if not form.validate_on_submit():
        abort(400)
    event = None
    if form.event_id.data:
        event = db.session.get(Event, int(form.event_id.data)) if form.event_id.data.isdigit() else None
        if event is None or event.competition_id != issuer.competition_id:
            abort(404)
    if not certificates.valid_certificates(
        competition_id=issuer.competition_id, round_id=issuer.round_id, event_id=event.id if event else None
    ):
        flash(_("There are no valid certificates to print: issue them first."), "warning")
        return redirect(_home(issuer))
    job = jobs.create_job(
        current_user,
        certificate_jobs.PRINT,
        certificate_jobs.print_params(issuer, event),
        locale="zh_CN" if is_chinese() else "en",
    )
    db.session.commit()
    runner.start(job)
    return redirect(url_for("admin.job", job_id=job.id))


@bp.get("/certificate-prints/<int:print_id>.pdf")
def print_file(print_id: int):
    printed = db.session.get(PrintFile, print_id)
    if printed is None or (printed.owner_id != current_user.id and not current_user.is_admin):
        abort(404)
    audit.record_export(
        current_user, "certificate_print", printed, rows=printed.count, competition_id=printed.competition_id
    )
    db.session.commit()
    return _pdf(printed.pdf, printed.file_name, download=True)


@bp.get("/certificates/<int:certificate_id>")
def certificate(certificate_id: int):
    found = _certificate_or_404(certificate_id)
    chain = []
    previous = found.supersedes
    while previous is not None:
        chain.append(previous)
        previous = previous.supersedes
    return render_template(
        "admin/certificate.html",
        certificate=found,
        summary=printing.summary(found),
        chain=chain,
        verify_url=printing.verify_url(found.token),
        home=_home(found.issuer),
        revoke_form=ReasonForm(prefix="revoke"),
        reissue_form=ReasonForm(prefix="reissue"),
    )


@bp.get("/certificates/<int:certificate_id>.pdf")
def certificate_pdf(certificate_id: int):
    found = _certificate_or_404(certificate_id)
    pdf = printing.certificates_pdf([found], title=found.number)
    audit.record_export(current_user, "certificate", found, rows=1, competition_id=found.competition_id)
    db.session.commit()
    return _pdf(pdf, f"{found.number}.pdf")


@bp.post("/certificates/<int:certificate_id>/revoke")
def revoke_certificate(certificate_id: int):
    found = _certificate_or_404(certificate_id)
    form = ReasonForm(prefix="revoke")
    if not form.validate_on_submit():
        flash(_("Give the reason: it is shown on the verification page."), "danger")
        return redirect(url_for("admin.certificate", certificate_id=found.id))
    try:
        certificates.revoke(current_user, found, form.reason.data)
    except CompeteError as error:
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(_("Certificate %(number)s was revoked.", number=found.number), "success")
    return redirect(url_for("admin.certificate", certificate_id=found.id))


@bp.post("/certificates/<int:certificate_id>/reissue")
def reissue_certificate(certificate_id: int):
    found = _certificate_or_404(certificate_id)
    form = ReasonForm(prefix="reissue")
    if not form.validate_on_submit():
        flash(_("Give the reason: it is shown on the verification page."), "danger")
        return redirect(url_for("admin.certificate", certificate_id=found.id))
    try:
        new = certificates.reissue(current_user, found, form.reason.data)
    except CompeteError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(url_for("admin.certificate", certificate_id=found.id))
    db.session.commit()
    flash(_("Issued anew as %(number)s; %(old)s shows as superseded.", number=new.number, old=found.number), "success")
    return redirect(url_for("admin.certificate", certificate_id=new.id))


def _print_home(job) -> str:
    issuer = db.session.get(Issuer, job.params["issuer_id"])
    return _home(issuer) if issuer is not None else url_for("admin.index")


job_screens(
    certificate_jobs.PRINT,
    JobScreens(
        done_url=_print_home,
        back_url=_print_home,
        done_message=lambda job: _(
            "%(count)d certificates are ready: download the PDF under “Print files”.", count=job.result["count"]
        ),
    ),
)
