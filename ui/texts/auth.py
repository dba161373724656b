TEXT = {
    "auth.heading": ("登录", "Sign in"),
    "auth.username": ("用户名", "Username"),
    "auth.password": ("密码", "Password"),
    "auth.submit": ("登录", "Sign in"),
    "auth.account": ("账号", "Account"),
    "auth.sign_out": ("退出登录", "Sign out"),
    "auth.signed_in_as": ("当前用户：{name}", "Signed in as {name}"),
    "auth.demo_intro": (
        "演示数据仓库的账号（每个角色一个）：",
        "Accounts of this demo warehouse (one per role):",
    ),
    "auth.refused.invalid": ("用户名或密码错误。", "Wrong username or password."),
    "auth.refused.locked": (
        "连续输错次数过多，账号已暂时锁定，请稍后再试。",
        "Too many failed attempts: the account is locked for a while.",
    ),
    "auth.refused.ended": (
        "登录已过期或已结束，请重新登录。",
        "Your session has expired or ended: please sign in again.",
    ),
    "auth.refused.disabled": ("该账号已停用。", "This account is disabled."),
    "auth.refused.sso_off": (
        "统一身份认证登录未启用，请使用用户名和密码登录。",
        "Single sign-on is not enabled here; sign in with username and password.",
    ),
    "auth.refused.no_account": (
        "统一身份认证的邮箱没有对应的驾驶舱账号，请联系管理员。",
        "No cockpit account has this e-mail; ask your administrator.",
    ),
    "auth.sso": ("统一身份认证登录", "Sign in with single sign-on"),
    "auth.token_refused": (
        "大屏令牌无效、已过期或已被撤销。",
        "The screen token is unknown, expired or revoked.",
    ),
}
