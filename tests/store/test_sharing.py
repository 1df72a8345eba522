"""City:district cost sharing (市与区县两级财政按比例承担): shares add up to the fen."""

import pytest

from huiqi.redemption.sharing import CostShare, parse_ratio

from .conftest import quote

BINJIANG = quote(
    "003", "市与上城区、下城区、江干区、拱墅区、西湖区、滨江区、富阳区、钱塘新区的承担比例为 1:1"
)
XIAOSHAN = quote("003", "市与萧山区、余杭区、临安区、桐庐县、建德市、淳安县的承担比例为 1:3")


def test_one_to_one_odd_fen_is_rounded_half_up_for_the_city():
    # 1:1 on 10,000.01元 (1,000,001 fen): the city's half, 500,000.5 fen, rounds half up to 500,001;
    # the district pays the rest, 500,000.
    assert CostShare(1, 1, BINJIANG).split(1_000_001) == (500_001, 500_000)
    assert CostShare(1, 1, BINJIANG).split(50_000_000) == (25_000_000, 25_000_000)


def test_one_to_three_city_share_rounds_half_up():
    # 1:3 on 100万元: city 25万元, district 75万元 exactly. On 1,000,003 fen the city's quarter is
    # 250,000.75 fen → 250,001; on 1,000,001 fen it is 250,000.25 → 250,000.
    assert CostShare(1, 3, XIAOSHAN).split(100_000_000) == (25_000_000, 75_000_000)
    assert CostShare(1, 3, XIAOSHAN).split(1_000_003) == (250_001, 750_002)
    assert CostShare(1, 3, XIAOSHAN).split(1_000_001) == (250_000, 750_001)


@pytest.mark.parametrize("amount", [0, 1, 2, 3, 7, 999, 123_456_789])
@pytest.mark.parametrize("ratio", ["1:1", "1:3", "2:3", "0:1", "1:0"])
def test_shares_always_add_up(amount, ratio):
    city, district = parse_ratio(ratio, "test").split(amount)
    assert city + district == amount and city >= 0 and district >= 0


def test_bad_ratios_are_refused():
    with pytest.raises(ValueError):
        parse_ratio("1/3", "x")
    with pytest.raises(ValueError):
        CostShare(0, 0, "x")
    with pytest.raises(ValueError):
        CostShare(1, 1, "  ")
