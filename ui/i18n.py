"""The one translation layer: every piece of UI text goes through `t(key)`.

Simplified Chinese is the default; `?lang=en` switches to English. Figure labels are
the names of DESIGN §5, one per figure, used everywhere (tiles, tables, exports).
"""

from __future__ import annotations

import contextlib
import importlib
import pkgutil
import threading
from functools import cache

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"

# key: (Chinese, English)
TEXT: dict[str, tuple[str, str]] = {
    # -- the app and its pages
    "app.title": ("社区数字驾驶舱", "Community Digital Cockpit"),
    "app.district": ("萧山区", "Xiaoshan District"),
    "page.overview": ("总览", "Overview"),
    "page.map": ("网格地图", "Grid map"),
    "page.incidents": ("民情事件", "Incidents"),
    "page.services": ("服务场景", "Services"),
    "page.points": ("积分流转", "Points"),
    "page.community": ("社区画像", "Community profile"),
    "page.status": ("数据状态", "Data status"),
    # -- figures (DESIGN §5)
    "fig.residents": ("常住人口", "Residents"),
    "fig.open": ("未结事件", "Open incidents"),
    "fig.overdue": ("超期未结", "Overdue"),
    "fig.closed": ("办结数", "Closed"),
    "fig.closure_rate": ("结案率", "Closure rate"),
    "fig.on_time_rate": ("按期结案率", "On-time rate"),
    "fig.mean_handling_hours": ("平均办结时长(小时)", "Mean handling time (h)"),
    "fig.median_handling_hours": ("中位办结时长(小时)", "Median handling time (h)"),
    "fig.hazards_fixed": ("隐患整改", "Hazards fixed"),
    "fig.visits": ("服务人次", "Visits"),
    "fig.unique_users": ("服务人数", "Unique users"),
    "fig.utilisation": ("设施利用率", "Utilisation"),
    "fig.share_60_plus": ("60岁以上占比", "60+ share"),
    "fig.issued": ("积分发放", "Points issued"),
    "fig.redeemed": ("积分兑换", "Points redeemed"),
    "fig.outstanding": ("积分余额", "Points outstanding"),
    "fig.participation": ("参与率", "Participation"),
    "fig.overdue_per_1000": ("超期未结(每千人)", "Overdue per 1,000"),
    "fig.visits_per_1000": ("服务人次(每千人)", "Visits per 1,000"),
    "fig.open_per_1000": ("未结事件(每千人)", "Open per 1,000"),
    # -- filters
    "filter.heading": ("筛选", "Filters"),
    "filter.street": ("街道/镇", "Street / town"),
    "filter.community": ("社区", "Community"),
    "filter.grid": ("网格", "Grid"),
    "filter.all": ("全部", "All"),
    "filter.period": ("统计区间", "Period"),
    "filter.as_of": ("截至日期", "As of"),
    "filter.language": ("语言", "Language"),
    "filter.mode": ("显示模式", "Display mode"),
    "filter.mode.desk": ("桌面", "Desk"),
    "filter.mode.screen": ("大屏", "Big screen"),
    "filter.reset": ("恢复默认", "Reset filters"),
    "notice.bad_value": (
        "参数 {param}={value} 无效，已忽略并使用默认值。",
        "Parameter {param}={value} is not valid; ignored, defaults used.",
    ),
    "notice.out_of_scope": (
        "参数 {param}={value} 不在您的权限范围内，已忽略。",
        "Parameter {param}={value} is outside your scope; ignored.",
    ),
    "notice.bad_range": (
        "开始日期晚于结束日期，已使用默认区间。",
        "The period starts after it ends; the default period is used.",
    ),
    # -- resilience
    "banner.down": (
        "数据仓库暂时无法连接，正在重试…",
        "The data warehouse cannot be reached right now; retrying…",
    ),
    "banner.timeout": (
        "这一页的查询超时：所选范围的数据量太大。请在筛选中选择街道或社区后再看；"
        "运维人员可查看性能说明（docs/performance.md）。",
        "This page's queries ran out of time: the chosen scope holds too much data. Choose"
        " a street or community in the filters; operators, see docs/performance.md.",
    ),
    "banner.stale": (
        "数据仓库暂时无法连接：显示的是 {time} 的缓存数据，连接恢复后自动更新。",
        "The warehouse cannot be reached: figures are cached from {time} and "
        "refresh by themselves when it is back.",
    ),
    # -- overview
    "overview.period": (
        "{scope} · {start} 至 {end} · 截至 {as_of}",
        "{scope} · {start} to {end} · as of {as_of}",
    ),
    "overview.delta_help": (
        "与上一同长区间（{start} 至 {end}）相比",
        "Change against the previous period ({start} to {end})",
    ),
    "league.title": ("大比武 · 社区排行", "大比武 · community league"),
    "league.caption": (
        "综合指数 = 各项指标在范围内社区间最小-最大归一化（方向已校正）后按权重加权求和 ×100；"
        "人数类指标按每千名常住人口计算。权重见 config/league_weights.toml。",
        "Index = each measure min-max normalised across the communities in scope "
        "(direction-aware), weighted and summed, ×100; counts are per 1,000 residents. "
        "Weights in config/league_weights.toml.",
    ),
    "league.rank": ("名次", "Rank"),
    "league.community": ("社区", "Community"),
    "league.street": ("街道/镇", "Street"),
    "league.score": ("综合指数", "Index"),
    "league.change": ("名次变化", "Rank change"),
    "league.previous_rank": ("上期名次", "Previous rank"),
    "league.points": ("得分", "points"),
    "league.breakdown": ("得分明细", "Score breakdown"),
    "league.most_improved": (
        "比学赶超：{name} 进步最快，名次上升 {places} 位（{prev} → {now}）。",
        "比学赶超: {name} improved most, up {places} places ({prev} → {now}).",
    ),
    "league.no_improvement": (
        "比学赶超：本期名次与上期相比无社区上升。",
        "比学赶超: no community climbed against the previous period.",
    ),
    "league.empty": ("范围内没有社区。", "No community in scope."),
    # -- placeholders
    "placeholder.map": (
        "社区、网格、微网格在地图上的分区着色（按所选指标），网格员责任区与事件点位。",
        "Communities, grids and micro-grids on a map, coloured by a measure; "
        "grid workers and incidents as points.",
    ),
    "placeholder.incidents": (
        "居民上报的民情事件及其闭环处理：受理、派单、处置、办结；未结、超期、办结时长。",
        "What residents report and how it is handled: open, overdue, handling time, closure rate.",
    ),
    "placeholder.services": (
        "食堂、养老、托育、健康、图书、健身、青少年等服务场景的使用：人次、人数、利用率、年龄结构。",
        "Use of canteens, elderly care, childcare, health, libraries, "
        "gyms and youth spaces: visits, users, utilisation, age groups.",
    ),
    "placeholder.points": (
        "文明积分/共富积分的发放、兑换、余额、流通速度与参与率，主要来源与去向。",
        "Points issued, redeemed, outstanding, velocity and participation; top sources and sinks.",
    ),
    "placeholder.soon": (
        "本页详细内容将在后续版本提供，以下为本页的核心指标。",
        "The full page comes in a later version; its headline figures:",
    ),
    # -- community profile
    "community.choose": ("选择社区", "Choose a community"),
    "community.reported": ("基本情况", "Reported figures"),
    "community.households": ("户数", "Households"),
    "community.area": ("面积(公顷)", "Area (ha)"),
    "community.residents_60_plus": ("60岁以上", "Aged 60+"),
    "community.residents_under_14": ("14岁以下", "Under 14"),
    "community.old_young_share": ("一老一小占比", "Old + young share"),
    "community.estimated": ("（估）", " (est.)"),
    "community.grids": ("网格", "Grids"),
    "community.micro_grids": ("微网格", "Micro-grids"),
    "community.facilities": ("服务设施与场景", "Facilities and scenes"),
    "community.features": ("特色", "Features"),
    "community.compounds": ("小区", "Compounds"),
    "community.platforms": ("数字平台", "Platforms"),
    "community.compare": ("与街道、全区对比", "Against the street and the district"),
    "community.this": ("本社区", "This community"),
    "community.street_total": ("所在街道/镇", "Its street"),
    "community.district_total": ("全区", "District"),
    "community.compare_bounded": (
        "本账号只能查看自己范围内的数据，范围以外的街道/镇或全区合计不显示。",
        "This account sees only its own scope: totals of a street or the district beyond it"
        " are not shown.",
    ),
    "community.none": ("范围内没有社区。", "No community in scope."),
    "facility.name": ("设施", "Facility"),
    "facility.type": ("类型", "Type"),
    "facility.capacity": ("日容量", "Capacity per day"),
    "facility.canteen": ("食堂", "Canteen"),
    "facility.eldercare": ("养老", "Elderly care"),
    "facility.childcare": ("托育", "Childcare"),
    "facility.health": ("健康", "Health"),
    "facility.library": ("图书/自习", "Library"),
    "facility.gym": ("健身", "Gym"),
    "facility.youth": ("青少年", "Youth"),
    "facility.activity": ("活动", "Activity"),
    "facility.other": ("其他", "Other"),
    # -- data status
    "status.sources": ("数据源时效", "Sources: newest data"),
    "status.table": ("数据表", "Table"),
    "status.rows": ("行数", "Rows"),
    "status.newest": ("最新数据时间", "Newest event"),
    "status.loads": ("最近导入", "Last loads"),
    "status.no_loads": ("尚无导入记录。", "No loads yet."),
    "status.rollup": ("汇总表滞后", "Rollup lag"),
    "status.rollup_dirty": ("待刷新社区日", "Community-days waiting"),
    "status.rollup_oldest": ("最早标记时间", "Oldest mark"),
    "status.checks": ("完整性检查（cockpit check）", "Integrity checks (cockpit check)"),
    "status.check": ("检查项", "Check"),
    "status.checked_at": (
        "检查时间：{when}（检查遍历全部事实表，由运维命令 cockpit check 运行，页面不实时运行）",
        "Checked {when} (the checks read every fact table, so `cockpit check` runs them,"
        " not the page)",
    ),
    "status.checks_never": (
        "尚未运行完整性检查：请运维人员运行 cockpit check。",
        "The integrity checks have not run yet: run `cockpit check`.",
    ),
    "status.result": ("结果", "Result"),
    "status.detail": ("说明", "Detail"),
    "status.ok": ("通过", "OK"),
    "status.failed": ("未通过", "Failed"),
    "load.kind": ("类型", "Kind"),
    "load.source": ("来源", "Source"),
    "load.started": ("开始", "Started"),
    "load.finished": ("结束", "Finished"),
    "load.status": ("状态", "Status"),
    "load.rows_loaded": ("导入行", "Loaded"),
    "load.rows_quarantined": ("隔离行", "Quarantined"),
    "load.newest": ("最新事件", "Newest event"),
    "table.fact_incident": ("民情事件", "Incidents"),
    "table.fact_incident_status_log": ("事件状态日志", "Incident status log"),
    "table.fact_service_visit": ("服务记录", "Service visits"),
    "table.ledger_journal": ("积分凭证", "Points journals"),
    "table.ledger_entry": ("积分分录", "Ledger entries"),
    "table.rollup_community_day": ("社区日汇总", "Community-day rollup"),
    "table.rollup_facility_day": ("设施日汇总", "Facility-day rollup"),
    "check.ledger_trial_balance": ("积分总账平衡", "Ledger trial balance"),
    "check.ledger_journals_balanced": ("每笔凭证借贷平衡", "Every journal balanced"),
    "check.rollups_current": ("汇总表已刷新", "Rollups current"),
    "check.rollups_equal_facts": ("汇总表与明细一致", "Rollups equal facts"),
    "check.area_rollups_equal": ("街道与全区汇总一致", "Street and district rollups equal"),
    "check.kept_results_equal": ("全区预存结果与重算一致", "Kept whole-city results equal"),
    "check.balances_equal_entries": ("积分余额与分录一致", "Balances equal entries"),
    "check.last_earnings_equal": ("最近获分记录与凭证一致", "Last earnings equal journals"),
    "check.orphans": ("无错挂记录", "No orphans"),
    "common.none": ("—", "—"),
}


@cache
def all_text() -> dict[str, tuple[str, str]]:
    """TEXT plus every ui/texts/<subject>.py table."""
    merged = dict(TEXT)
    package = importlib.import_module("ui.texts")
    for module_info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"ui.texts.{module_info.name}")
        for key, pair in module.TEXT.items():
            if key in merged:
                raise ValueError(f"UI text {key!r} is defined twice (ui/texts/{module_info.name})")
            merged[key] = pair
    return merged


def normalise_language(value) -> str:
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


# The language a page's body runs in, pinned by ui/shell.py on the script thread.
_PINNED = threading.local()


@contextlib.contextmanager
def language_pinned(lang: str):
    """Answer current_language() with `lang` inside the block, without reading the URL.

    A language switch reruns the page (its callback changes the URL before the run),
    so within a page's body the language is fixed; reading it from st.query_params
    costs ~25 µs a call, and a city-wide map or table asks tens of thousands of times
    (a third of a warm rerun)."""
    previous = getattr(_PINNED, "lang", None)
    _PINNED.lang = normalise_language(lang)
    try:
        yield
    finally:
        _PINNED.lang = previous


def current_language() -> str:
    """The language of this page view: `lang` from the URL, Chinese by default."""
    pinned = getattr(_PINNED, "lang", None)
    if pinned is not None:
        return pinned
    try:
        import streamlit as st

        return normalise_language(st.query_params.get("lang"))
    except Exception:  # no script run context (plain Python, unit tests)
        return DEFAULT_LANGUAGE


def t(key: str, lang: str | None = None, **values) -> str:
    """The text for `key` in `lang` (default: the current view's), formatted with values."""
    lang = normalise_language(lang) if lang else current_language()
    pair = all_text().get(key)
    if pair is None:
        return key
    text = pair[1] if lang == "en" else pair[0]
    return text.format(**values) if values else text
