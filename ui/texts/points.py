TEXT = {
    "points.caption": (
        "积分为双重记账：每笔凭证借贷相抵。人数少于 5 人的单元格显示为“<5”，不显示任何居民身份。",
        "Points are kept double-entry: every journal nets to zero. Cells counting "
        "fewer than 5 residents show “<5”, and no resident is ever shown.",
    ),
    "points.expired": ("积分过期", "Points expired"),
    "points.redemption_rate": ("兑换率", "Redemption rate"),
    "points.velocity": ("流通速度", "Velocity"),
    "points.velocity_help": (
        "本期兑换 ÷ 本期日均积分余额",
        "Redeemed in the period ÷ mean daily outstanding balance",
    ),
    "points.holders_share": ("持有积分居民占比", "Residents holding points"),
    "points.holders_help": (
        "截至 {as_of} 积分余额大于 0 的居民账户数 ÷ 常住人口",
        "Resident accounts with a positive balance as of {as_of} ÷ residents",
    ),
    "points.ledger_ok": (
        "积分账本平衡：范围内全部账户分录合计为 0，每笔凭证借贷相抵。",
        "Ledger balanced: all accounts in scope sum to zero and every journal nets to zero.",
    ),
    "points.ledger_broken": (
        "积分账本不平衡！范围内全部账户分录合计偏差 {amount} 分，"
        "{journals} 笔凭证借贷不平，请立即核查（cockpit check）。",
        "LEDGER OUT OF BALANCE: all accounts in scope sum to {amount} points off zero, "
        "{journals} journal(s) do not net to zero. Investigate now (cockpit check).",
    ),
    "points.ledger_ok_recorded": (
        "积分账本平衡（{at} 由 cockpit check 核对全部账户与凭证；范围较大，页面不实时核对）。",
        "Ledger balanced (checked over every account and journal by `cockpit check` at "
        "{at}; the scope is too large to check on the page).",
    ),
    "points.ledger_broken_recorded": (
        "积分账本不平衡！{at} 由 cockpit check 核对发现：{detail}。请立即核查。",
        "LEDGER OUT OF BALANCE: `cockpit check` found at {at}: {detail}. Investigate now.",
    ),
    "points.ledger_unchecked": (
        "积分账本尚未核对：范围较大，页面不实时核对，请运维人员运行 cockpit check。",
        "The ledger has not been checked: the scope is too large to check on the page; "
        "run `cockpit check`.",
    ),
    "points.ledger_covers": (
        "账本校验覆盖：{scope} 内各社区的全部积分账户与全部历史分录（不限统计区间）；"
        "按数据权限，其他社区的账户不在本页校验范围内。",
        "The check covers every points account and every entry ever posted in {scope}'s "
        "communities (whatever the period); other communities' accounts are outside what "
        "this view may read.",
    ),
    "points.flow": ("积分从哪里来，到哪里去", "Where points come from and where they go"),
    "points.flow_caption": (
        "左列：本期按获取事由发放的积分；右列：本期在各服务与联盟商户兑换、过期的积分，以及留存为余额的部分。两列总高相等。",
        "Left: points earned in the period by reason; right: points redeemed at each "
        "service or merchant, expired, and kept as balance. Both columns have the same total.",
    ),
    "points.side.source": ("来源（获取事由）", "Sources (reasons)"),
    "points.side.use": ("去向（兑换、过期、留存）", "Uses (redeemed, expired, kept)"),
    "points.flow.expire": ("过期作废", "Expired"),
    "points.flow.adjust": ("人工调整", "Adjustments"),
    "points.flow.to_balance": ("留存为余额", "Kept as balance"),
    "points.flow.from_balance": ("动用往期余额", "Drawn from earlier balances"),
    "points.reasons": ("发放事由排行（合计 {total} 分）", "Earned by reason (total {total})"),
    "points.counterparties": (
        "兑换去向排行（合计 {total} 分）",
        "Redeemed by counterparty (total {total})",
    ),
    "points.reason": ("事由", "Reason"),
    "points.counterparty": ("兑换去向", "Counterparty"),
    "points.points": ("积分", "Points"),
    "points.journals": ("笔数", "Transactions"),
    "points.earners": ("获取人数", "Earners"),
    "points.redeemers": ("兑换人数", "Redeemers"),
    "points.share": ("占比", "Share"),
    "points.over_time": ("发放与兑换（每日）", "Issued and redeemed per day"),
    "points.outstanding_over_time": (
        "积分余额走势（每日日终）",
        "Outstanding balance (end of day)",
    ),
    "points.day": ("日期", "Day"),
    "points.series": ("类别", "Series"),
    "points.holders_by_community": ("各社区持有积分居民", "Residents holding points, by community"),
    "points.community": ("社区", "Community"),
    "points.holders": ("持有人数", "Holders"),
    "points.residents": ("常住人口", "Residents"),
    "points.none": ("本期没有积分流转。", "No points moved in this period."),
}
