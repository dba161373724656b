"""One translation layer: Chinese by default, English with lang=en (issue [2])."""

from ui.i18n import all_text, t

FIGURE_NAMES = {
    "fig.open": "未结事件",
    "fig.overdue": "超期未结",
    "fig.closed": "办结数",
    "fig.closure_rate": "结案率",
    "fig.on_time_rate": "按期结案率",
    "fig.mean_handling_hours": "平均办结时长(小时)",
    "fig.median_handling_hours": "中位办结时长(小时)",
    "fig.hazards_fixed": "隐患整改",
    "fig.visits": "服务人次",
    "fig.unique_users": "服务人数",
    "fig.utilisation": "设施利用率",
    "fig.share_60_plus": "60岁以上占比",
    "fig.issued": "积分发放",
    "fig.redeemed": "积分兑换",
    "fig.outstanding": "积分余额",
    "fig.participation": "参与率",
    "fig.residents": "常住人口",
}


def test_figure_labels_are_the_design_names():
    for key, name in FIGURE_NAMES.items():
        assert t(key) == name
        assert t(key, "zh") == name


def test_english_when_asked():
    assert t("fig.open", "en") == "Open incidents"
    assert t("page.overview", "en") == "Overview"


def test_unknown_language_falls_back_to_chinese():
    assert t("page.overview", "fr") == "总览"


def test_every_key_has_both_languages_and_same_placeholders():
    import string

    for key, (zh, en) in all_text().items():
        assert zh and en, key
        fields = {f for _, f, _, _ in string.Formatter().parse(zh) if f}
        assert fields == {f for _, f, _, _ in string.Formatter().parse(en) if f}, key


def test_values_are_formatted():
    text = t("notice.bad_value", "zh", param="community", value="garbage")
    assert "community=garbage" in text


def test_every_warehouse_check_has_a_name_in_both_languages():
    """数据状态 lists the checks by name: a check without one would show its key."""
    from ui.i18n import all_text
    from warehouse.checks import CHECKS

    texts = all_text()
    assert [name for name in CHECKS if f"check.{name}" not in texts] == []
