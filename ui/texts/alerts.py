"""UI text of the 督办 page (pages/alerts.py, ui/alert_views.py) and of the notice
section of 数据状态 (pages/status.py), issue [11]."""

TEXT = {
    "page.alerts": ("督办", "Alerts"),
    "alerts.caption": (
        "{scope} · 截至 {now} · 预警：{warning_hours} 小时内到期；督办：超期满 {days} 个工作日",
        "{scope} · as of {now} · warning: due within {warning_hours} h; "
        "escalated: overdue for {days} working days",
    ),
    "alerts.config_error": (
        "督办配置文件有误，请运维人员修正：{problem}",
        "The alerts configuration is not valid; operators, please fix it: {problem}",
    ),
    # levels, who acts
    "alerts.level.warning": ("预警", "Warning"),
    "alerts.level.overdue": ("超期", "Overdue"),
    "alerts.level.escalated": ("督办", "Escalated"),
    "alerts.level.all": ("全部", "All"),
    "alerts.level_help.warning": ("即将到期，由社区办理", "Due soon; the community acts"),
    "alerts.level_help.overdue": ("已超期，由街道督促", "Overdue; the street chases it"),
    "alerts.level_help.escalated": (
        "超期满规定工作日，由区级督办",
        "Overdue for the set working days; the district acts",
    ),
    "alerts.actor.community": ("社区", "Community"),
    "alerts.actor.street": ("街道", "Street"),
    "alerts.actor.district": ("区", "District"),
    # the list
    "alerts.list_title": ("督办清单（按级别与时长）", "Alerts by level and age"),
    "alerts.list_hint": (
        "共 {total} 条，点选一行查看事件时间线并确认。",
        "{total} alerts; select a row to see the incident's timeline and acknowledge it.",
    ),
    "alerts.none": ("当前没有需要督办的事件。", "No alerts at this time."),
    "alerts.filter_level": ("级别", "Level"),
    "alerts.col.level": ("级别", "Level"),
    "alerts.col.since": ("起始时间", "Since"),
    "alerts.col.age": ("已持续(小时)", "Age (h)"),
    "alerts.col.act_by": ("责任层级", "To act"),
    "alerts.col.incident": ("事件编号", "Incident"),
    "alerts.col.category": ("类别", "Category"),
    "alerts.col.community": ("社区", "Community"),
    "alerts.col.street": ("街道/镇", "Street"),
    "alerts.col.worker": ("网格员", "Grid worker"),
    "alerts.col.due_at": ("办结时限", "Due"),
    "alerts.col.escalate_at": ("督办时点", "Escalates"),
    "alerts.col.acked": ("确认", "Acknowledged"),
    # one alert
    "alerts.detail_title": (
        "{level} · 事件 {incident}（{category}）",
        "{level} · incident {incident} ({category})",
    ),
    "alerts.detail_caption": (
        "{community} · 上报 {reported} · 办结时限 {due} · {level}自 {since} · 责任：{actor}",
        "{community} · reported {reported} · due {due} · {level} since {since} · to act: {actor}",
    ),
    "alerts.timeline_title": ("事件时间线", "Incident timeline"),
    "alerts.acked": (
        "已由 {who} 于 {when} 确认：{note}",
        "Acknowledged by {who} at {when}: {note}",
    ),
    "alerts.ack_title": ("确认督办", "Acknowledge"),
    "alerts.ack_note": ("处理说明", "Note"),
    "alerts.ack_note_help": (
        "例如：已联系网格员，明日上门处置。最多 500 字。",
        "E.g. the grid worker has been called and visits tomorrow. At most 500 characters.",
    ),
    "alerts.ack_button": ("确认", "Acknowledge"),
    "alerts.ack_done": (
        "已确认，并已记入审计日志。",
        "Acknowledged and recorded in the audit log.",
    ),
    "alerts.ack_refused": (
        "无权确认该事件的督办（不在您的权限范围内）。",
        "You may not acknowledge this alert (outside your scope).",
    ),
    "alerts.ack_closed": (
        "该事件已办结或已驳回，无需确认。",
        "The incident is closed or rejected.",
    ),
    "alerts.ack_invalid": (
        "确认内容无效（说明过长？）。",
        "The acknowledgement is not valid (note too long?).",
    ),
    "alerts.ack_screen": (
        "大屏令牌不能确认督办。",
        "A wall-screen token cannot acknowledge alerts.",
    ),
    "alerts.refused": (
        "参数 alert={alert} 所指的督办事项不存在或不在您的权限范围内，已忽略。",
        "Parameter alert={alert} names no alert within your scope; ignored.",
    ),
    "alerts.calendar_unknown": (
        "工作日历缺少 {years} 年的节假日与调休安排：相关办结时限暂按周一至周五计算（临时）。"
        "请运维人员补充（cockpit calendar）。",
        "The working calendar does not know {years}: the affected due dates are counted "
        "Monday–Friday for now (provisional). Operators: see `cockpit calendar`.",
    ),
    # 数据状态: notices
    "status.notices": ("督办通知发送", "Alert notices"),
    "status.notices_none": (
        "尚无督办通知记录（cockpit alerts send 由定时任务运行）。",
        "No alert notices yet (`cockpit alerts send` runs from a timer).",
    ),
    "status.notices_failures": (
        "发送失败（待重试或已放弃）",
        "Failed notices (to retry or given up)",
    ),
    "status.notices_no_failures": ("没有发送失败的通知。", "No failed notices."),
    "notice.channel": ("通道", "Channel"),
    "notice.sent": ("已发送", "Sent"),
    "notice.pending": ("待发送", "Pending"),
    "notice.failed": ("已放弃", "Given up"),
    "notice.last_sent": ("最近发送", "Last sent"),
    "notice.alert": ("督办事项", "Alert"),
    "notice.status": ("状态", "Status"),
    "notice.status.pending": ("待重试", "Retrying"),
    "notice.status.failed": ("已放弃", "Given up"),
    "notice.attempts": ("尝试次数", "Attempts"),
    "notice.last_attempt": ("最近尝试", "Last attempt"),
    "notice.next_attempt": ("下次尝试", "Next attempt"),
    "notice.error": ("错误", "Error"),
}
