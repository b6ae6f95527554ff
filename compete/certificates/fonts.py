"""The typefaces certificates need, and which Debian package installs each one that is missing."""

import functools
import subprocess

from flask_babel import gettext as _

# family → Debian package; see scripts/debian-packages.sh and DESIGN.md on choosing TrueType for speed.
REQUIRED = {
    "AR PL SungtiL GB": "fonts-arphic-gbsn00lp",
    "AR PL KaitiM GB": "fonts-arphic-gkai00mp",
    "Noto Serif CJK SC": "fonts-noto-cjk",
    "DejaVu Serif": "fonts-dejavu-core",
    "DejaVu Sans Mono": "fonts-dejavu-core",
}


@functools.cache
def installed_families() -> frozenset[str]:
    try:
        listed = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    return frozenset(name.strip() for line in listed.splitlines() for name in line.split(","))


def missing(families=None) -> dict[str, str]:
    """The required families not installed, each with its package."""
    families = installed_families() if families is None else families
    return {family: package for family, package in REQUIRED.items() if family not in families}


def missing_font_warnings(families=None) -> list[str]:
    absent = missing(families)
    if not absent:
        return []
    packages = sorted(set(absent.values()))
    return [
        _(
            "Certificates need the typefaces %(families)s, which are not installed: "
            "run “apt-get install %(packages)s”. "
            "Until then other fonts stand in, and rare characters may print as empty boxes.",
            families="、".join(absent),
            packages=" ".join(packages),
        )
    ]
