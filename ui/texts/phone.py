"""UI text of the phone layout (ui/phone.py, issue [14]): the top bar and the overdue cards."""

TEXT = {
    "phone.menu": ("菜单", "Menu"),
    "phone.menu_pages": ("页面", "Pages"),
    "phone.filters": ("筛选：{summary}", "Filters: {summary}"),
    "phone.all_grids": ("全部网格", "all grids"),
    "phone.as_of": ("截至 {day}", "as of {day}"),
    "phone.overdue_title": ("超期未结（超期最久在前）", "Overdue, worst first"),
    "phone.overdue_more": (
        "共 {total} 件超期，这里列出前 {shown} 件；完整清单见下方表格。",
        "{total} overdue; the first {shown} here, the full list in the table below.",
    ),
    "phone.hours_overdue": ("超期 {hours} 小时", "{hours} h overdue"),
    "phone.no_grid": ("未分网格", "no grid"),
    "phone.timeline_pick": ("查看处置时间线", "See the timeline of"),
    "phone.timeline_placeholder": ("选择一件超期事件", "an overdue incident"),
}
