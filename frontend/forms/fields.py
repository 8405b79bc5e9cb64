"""What several forms share: the browser's date picker and comma-separated lists."""

from django import forms


class DateInput(forms.DateInput):
    """The browser's date picker, which sends and shows ISO dates."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def comma_list(value: str) -> list[str]:
    """Split "KR, JP ,," into ["KR", "JP"]."""
    return [item.strip() for item in (value or "").split(",") if item.strip()]
