"""placeholder"""

from compete.web.admin import bp  # noqa: F401
