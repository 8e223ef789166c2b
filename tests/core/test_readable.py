"""The lecture's one rule for probabilities and measured values."""

import pytest

from core.readable import number, percent


@pytest.mark.parametrize("p,text", [
    (0.0, "0.0%"), (0.021, "2.1%"), (0.844, "84.4%"), (0.99949, "99.9%"), (0.9995, "99.95%"),
    (0.99973, "99.97%"), (0.999949, "99.99%"), (0.99995, "> 99.99%"), (0.9999999, "> 99.99%"), (1.0, "> 99.99%"),
])
def test_percent_is_short_and_never_rounds_up_to_certain(p, text):
    assert percent(p) == text


def test_no_probability_has_more_than_four_digits():
    """Scene 9 showed “> 99.9999%” and “99.99999%”: seven digits nobody in the hall can read."""
    for k in range(1, 12):
        for p in (1 - 10 ** -k, 10 ** -k, 0.5 + 10 ** -k):
            assert sum(c.isdigit() for c in percent(p)) <= 4, (p, percent(p))
            assert percent(p) != "100.0%"


@pytest.mark.parametrize("x,text", [(55.79, "56"), (22.09, "22"), (1.88, "1.9"), (29.66, "30"), (0.374, "0.37"),
                                    (0.0, "0"), (-3.14, "-3.1"), (1234.5, "1234")])
def test_number_keeps_about_two_digits(x, text):
    assert number(x) == text
