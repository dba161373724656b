"""UI text of the meeting briefing (ui/briefing_ui.py, briefing/)."""

TEXT = {
    # the sidebar section
    "briefing.heading": ("生成简报", "Briefing"),
    "briefing.caption": (
        "当前视图的会议简报：{scope}，{start} 至 {end}，截至 {as_of}。",
        "A meeting briefing of this view: {scope}, {start} to {end}, as of {as_of}.",
    ),
    "briefing.caption_street": (
        "街道简报含每个社区一节（大比武）。",
        "A street's briefing has one section per community (大比武).",
    ),
    "briefing.file": ("简报", "briefing"),
    "briefing.pptx": ("下载 PPT 简报", "Download PPTX"),
    "briefing.pdf": ("下载 PDF 简报", "Download PDF"),
    "briefing.no_font": (
        "无法生成简报：本机没有可嵌入的中文字体。请安装 fonts-wqy-microhei"
        "（scripts/start 以 root 运行时自动安装），"
        "或用环境变量 COCKPIT_CJK_FONT 指定 TrueType 中文字体文件。",
        "Cannot make a briefing: no embeddable Chinese font on this machine. Install "
        "fonts-wqy-microhei (scripts/start does so when run as root), or set "
        "COCKPIT_CJK_FONT to a TrueType Chinese font file.",
    ),
    # the document
    "briefing.title": ("社区数字驾驶舱 · 简报", "Community Digital Cockpit · Briefing"),
    "briefing.as_of": ("数据截至 {day} {clock}", "Figures as of {day} {clock}"),
    "briefing.generated": ("生成于 {time}", "generated {time}"),
    "briefing.page_of": ("第 {page} 页 / 共 {total} 页", "Page {page} of {total}"),
    "briefing.slide_of": ("{page} / {total}", "{page} / {total}"),
    "briefing.contents": ("目录", "Contents"),
    "briefing.section.overview": ("总体情况", "Overview"),
    "briefing.section.community": (
        "第 {rank} 名 · {name} · 综合指数 {score}（名次变化 {change}）",
        "No. {rank} · {name} · index {score} (rank change {change})",
    ),
    "briefing.page.headline": ("核心指标", "Headline figures"),
    "briefing.page.incidents": (
        "民情事件与超期未结（前10件）",
        "Incidents and the 10 most overdue",
    ),
    "briefing.page.services_points": ("服务场景与积分流转", "Services and points"),
    "briefing.chart.services_points": (
        "每日服务人次；每日积分发放与兑换",
        "Visits per day; points issued and redeemed per day",
    ),
    "briefing.overdue_note": (
        "共 {total} 件超期未结，列出超期最久的 {shown} 件。",
        "{total} overdue; the {shown} most overdue are listed.",
    ),
    "briefing.league_top": (
        "共 {total} 个社区，列出前 {shown} 名。",
        "{total} communities; the top {shown} are listed.",
    ),
}
