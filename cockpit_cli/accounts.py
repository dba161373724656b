"""`cockpit user …` and `cockpit screen-token …` (accounts and wall-screen tokens)."""

from __future__ import annotations

import getpass
import sys

from warehouse import accounts


def _owner_engine():
    from warehouse.db import owner_engine
    from warehouse.migrate import migrate

    engine = owner_engine()
    migrate(engine)
    return engine


def _read_password() -> str:
    """From standard input (one line), or a hidden prompt at a terminal."""
    if sys.stdin.isatty():
        first = getpass.getpass("password: ")
        if getpass.getpass("again: ") != first:
            raise accounts.AccountError("the two passwords differ")
        return first
    return sys.stdin.readline().rstrip("\n")


def cmd_user(args) -> int:
    engine = _owner_engine()
    if args.action == "add":
        accounts.add_user(
            engine, args.username, _read_password(), args.role, args.scope, args.name, args.email
        )
        print(f"user {args.username} added ({args.role}{' ' + args.scope if args.scope else ''})")
    elif args.action == "reset":
        accounts.reset_password(engine, args.username, _read_password())
        print(f"password of {args.username} reset; their sessions ended")
    elif args.action in ("disable", "enable"):
        accounts.set_disabled(engine, args.username, args.action == "disable")
        print(f"user {args.username} {args.action}d")
    else:
        for user in accounts.list_users(engine):
            flags = [
                flag
                for flag, on in (
                    ("disabled", user["disabled"]),
                    ("locked", user["locked_until"] is not None),
                    ("demo", user["is_demo"]),
                )
                if on
            ]
            print(
                f"{user['username']:20} {user['role']:10} {user['scope_code'] or '-':14} "
                f"{user['display_name']}  {' '.join(flags)}"
            )
    return 0


def cmd_screen_token(args) -> int:
    engine = _owner_engine()
    if args.action == "create":
        kind = "district" if not args.scope else ("street" if len(args.scope) == 9 else "community")
        token = accounts.create_screen_token(
            engine, kind, args.scope, accounts.parse_duration(args.expires), args.label
        )
        print(f"token {token.token_id} created; open this URL on the screen (shown once):")
        print(f"{args.base_url.rstrip('/')}/?mode=screen&token={token.token}")
    elif args.action == "revoke":
        accounts.revoke_screen_token(engine, args.token_id)
        print(f"token {args.token_id} revoked")
    else:
        for token in accounts.list_screen_tokens(engine):
            state = "revoked" if token["revoked_at"] else f"expires {token['expires_at']:%Y-%m-%d}"
            print(
                f"{token['token_id']}  {token['scope_kind']:10} {token['scope_code'] or '-':14} "
                f"{token['label'] or ''}  {state}"
            )
    return 0


def cmd_sso(args) -> int:
    accounts.set_single_sign_on(_owner_engine(), args.action == "enable")
    print(f"single sign-on {args.action}d (accounts are matched by e-mail)")
    return 0


def register(commands) -> None:
    sso = commands.add_parser("sso", help="allow or refuse single sign-on (st.login, OIDC)")
    sso.add_argument("action", choices=["enable", "disable"])
    sso.set_defaults(func=cmd_sso)

    user = commands.add_parser("user", help="accounts: add, list, disable, enable, reset")
    user_actions = user.add_subparsers(dest="action", required=True)
    add = user_actions.add_parser("add", help="add an account (password from standard input)")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=accounts.ROLES)
    add.add_argument("--scope", help="street (9 digits) or community (12 digits) code")
    add.add_argument("--name", help="display name")
    add.add_argument("--email", help="for single sign-on")
    user_actions.add_parser("list", help="list accounts")
    for action in ("disable", "enable", "reset"):
        user_actions.add_parser(action).add_argument("username")
    user.set_defaults(func=cmd_user)

    token = commands.add_parser("screen-token", help="wall-screen tokens: create, list, revoke")
    token_actions = token.add_subparsers(dest="action", required=True)
    create = token_actions.add_parser("create", help="print a big-screen URL with a new token")
    create.add_argument("--scope", help="street or community code (default: the district)")
    create.add_argument("--expires", default="90d", help="e.g. 90d, 12h (default 90d)")
    create.add_argument("--label", help="where the screen hangs")
    create.add_argument("--base-url", default="http://localhost:8501")
    token_actions.add_parser("list", help="list tokens")
    token_actions.add_parser("revoke").add_argument("token_id")
    token.set_defaults(func=cmd_screen_token)
