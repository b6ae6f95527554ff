"""Public certificate verification: by the QR code's token, or by number together with the holder's name."""

from flask import current_app, render_template, request

from compete.certificates import printing
from compete.certificates import services as certificates
from compete.extensions import limiter
from compete.web.public import bp


@bp.get("/verify/<token>")
def verify(token: str):
    certificate = certificates.by_token(token)
    if certificate is None:
        return render_template("public/verify.html", certificate=None, not_found=True), 404
    return render_template("public/verify.html", certificate=certificate, summary=printing.summary(certificate))


# Numbers run in sequence: asking for the holder's name too means a search confirms only what the asker knows,
# and no one can walk the numbers to collect names.
@bp.get("/verify")
@limiter.limit(lambda: current_app.config["VERIFY_RATE_LIMIT"])
def verify_search():
    number, name = request.args.get("number", "").strip(), request.args.get("name", "").strip()
    if not number and not name:
        return render_template("public/verify.html", certificate=None, searched=False)
    found = certificates.by_number(number)
    if found is None or found.content["facts"].get("name", "").strip() != name:
        return render_template("public/verify.html", certificate=None, searched=True, number=number, name=name), 404
    return render_template("public/verify.html", certificate=found, summary=printing.summary(found), searched=True)
