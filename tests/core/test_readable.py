"""The lecture's one rule for probabilities and measured values."""

import pytest

from core.readable import goal_percent, number, percent, share, times


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


def test_tiny_and_broken_probabilities_and_goals():
    """NaN is not a number on screen; a goal reads as it was set (the tab once wrote 99.99 % as
    “100%”); nothing starts with “<”, which rich text would take for a tag."""
    assert [percent(p) for p in (0.0004, 0.0009, 0.012)] == ["0.0%", "0.0%", "1.2%"]
    assert percent(float("nan")) == "—" and percent(float("inf")) == "—"
    assert [goal_percent(g) for g in (0.99, 0.995, 0.9999, 0.5)] == ["99%", "99.5%", "99.99%", "50%"]
    assert [times(r) for r in (17.04, 3.46, 10.0)] == ["17×", "3.5×", "10×"]


def test_digits_are_cut_never_rounded_up_past_what_the_network_said():
    """98.95 % must not read “99.0%” beside a 99 % goal it has not reached."""
    assert [percent(p) for p in (0.9895, 0.98999, 0.844, 0.021, -0.0)] == ["98.9%", "98.9%", "84.4%", "2.1%", "0.0%"]
    assert goal_percent(0.9999999) == "99.9999%" and goal_percent(float("nan")) == "—"


def test_shares_and_edge_numbers():
    assert [share(x) for x in (0.0028, 1.0, 1.5)] == ["0.3%", "100.0%", "150.0%"]  # no “> 99.99%” for 3M of 2M
    assert number(9.96) == "10" and times(9.96) == "10×" and number(float("nan")) == "—"
