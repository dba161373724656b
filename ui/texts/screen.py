"""Text of the big screen's frame (ui/screen.py): clock, as-of, heartbeat, rotation."""

TEXT = {
    "screen.as_of": ("数据截至 {time}", "Data as of {time}"),
    "screen.as_of_unknown": ("数据截至 —", "Data as of —"),
    "screen.stale": (
        "数据已 {age} 未更新，请检查数据上报",
        "No new data for {age}: check the data feeds",
    ),
    "screen.down": ("数据仓库无法连接，显示最近一次数据", "Warehouse unreachable: last data shown"),
    "screen.heartbeat": ("刷新 #{beats} · {time}", "Refresh #{beats} · {time}"),
    "screen.next": (
        "{index}/{count} · 下一页 {title} {seconds} 秒",
        "{index}/{count} · next {title} in {seconds} s",
    ),
    "screen.age.minutes": ("{n} 分钟", "{n} min"),
    "screen.age.hours": ("{n} 小时", "{n} h"),
    "screen.age.days": ("{n} 天", "{n} days"),
    "screen.league_top": ("大比武 · 社区排行（前 {n} 名）", "League table (top {n})"),
    "screen.overdue_more": ("另有 {n} 件超期未结", "{n} more overdue"),
}
