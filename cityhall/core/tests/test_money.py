import pytest

from cityhall.core.money import InvalidAmount, dollars_input, format_cents, parse_dollars


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("$1,299.50", 129950),
        ("899", 89900),
        (" 0.5 ", 50),
        ("12.345", None),
        ("abc", None),
        ("", None),
    ],
)
def test_parse_dollars(typed, cents):
    if cents is None:
        with pytest.raises(InvalidAmount):
            parse_dollars(typed)
    else:
        assert parse_dollars(typed) == cents


def test_format_and_back():
    assert format_cents(12000000) == "$120,000.00"
    assert format_cents(-50) == "-$0.50"
    assert format_cents(None) == ""
    assert dollars_input(129950) == "1299.50"
