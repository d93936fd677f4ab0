"""Server-drawn charts: a year with nothing shows one "no data" label, not a stack of zeros;
shares kept in ‰ are shown as percentages."""

from __future__ import annotations

import re

from shuangsuiji.web.charts import Series, bar_chart, percent


def test_an_empty_row_shows_one_label_and_no_bars() -> None:
    svg = str(bar_chart(["2025", "2026"], [Series("a", [0, 5]), Series("b", [0, 0])],
                        title="t", empty="无数据"))
    values = re.findall(r'class="value[^"]*"[^>]*>([^<]*)<', svg)
    assert values == ["无数据", "5", "0"]  # 2025: the label once; 2026: both bars
    assert svg.count("<rect") == 2 + 2  # two legend squares, two bars


def test_percent_from_permille() -> None:
    assert [percent(p) for p in (0, 5, 138, 1000)] == ["0%", "0.5%", "13.8%", "100%"]
