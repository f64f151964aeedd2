"""The one text-cleaning routine: stripping, limits, control characters, and the field's own label."""
import pytest

from inspect_app.domain.text import TextError, clean_text


@pytest.mark.parametrize("value, kwargs, expected", [
    (None, {}, ""),
    ("  rail  ", {}, "rail"),
    ("line one\nline two\ttab", {}, "line one\nline two\ttab"),
    ("x" * 10, {"limit": 10}, "x" * 10),
    (42, {"coerce": True}, "42"),
])
def test_clean_text_keeps_what_is_fine(value, kwargs, expected):
    assert clean_text(value, label="The comment", **kwargs) == expected


@pytest.mark.parametrize("value, kwargs, message", [
    (42, {}, "The comment must be text."),
    ("x" * 11, {"limit": 10}, "The comment is longer than 10 characters."),
    ("bad\x00byte", {}, "The comment contains control characters."),
    ("esc\x1b[0m", {"coerce": True}, "The comment contains control characters."),
])
def test_clean_text_refuses_with_the_fields_label(value, kwargs, message):
    with pytest.raises(TextError) as refused:
        clean_text(value, label="The comment", **kwargs)
    assert str(refused.value) == message
