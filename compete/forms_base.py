"""Form fields shared by every domain's forms."""

from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from wtforms import DecimalField, SelectMultipleField, StringField
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

# A mark or weight above this is a typing error, and it keeps the value inside Numeric columns.
LARGEST_NUMBER = Decimal(100000)


class ExactDecimalField(DecimalField):
    """A decimal typed by a person: finite, not astronomically large, full-width digits allowed.

    Rendered as text with a decimal keypad: a number input would drop a mistyped value, and the
    form must give back what was typed next to its message.
    """

    widget = TextInput()

    def __call__(self, **kwargs):
        kwargs.setdefault("inputmode", "decimal")
        return super().__call__(**kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        text = format(Decimal(self.data), "f")
        return text.rstrip("0").rstrip(".") if "." in text else text  # 0.300 reads as 0.3

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = valuelist[0].strip() if valuelist[0] else ""
        self.raw_data = valuelist
        if text == "":
            self.data = None
            return
        try:
            number = Decimal(text)
        except (InvalidOperation, ValueError):
            number = None
        if number is None or not number.is_finite() or abs(number) > LARGEST_NUMBER:
            self.data = None
            raise ValueError(_l("Enter a number such as 12.5."))
        self.data = number


def text_field(label, max_length: int, *validators, **kwargs) -> StringField:
    """A text input whose maximum length matches its column, with surrounding spaces removed."""
    return StringField(
        label,
        validators=[*validators, Length(max=max_length, message=_l("At most %(max)d characters."))],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        render_kw={"maxlength": max_length},
        **kwargs,
    )


def optional():
    return Optional(strip_whitespace=True)


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a row of tick boxes: easier on a tablet than a multiple select."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
