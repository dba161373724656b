"""Screenshots of the real app for people to look at: every page in desk mode and on
the wall (`scripts/screenshots [PATH ...]`), and the README's images
(`scripts/screenshots --readme`, written to docs/screenshots/). Drives the same
headless Chromium as the browser tests, through harness.py.

    python tests/browser/screenshots.py screenshots [PATH ...]
    python tests/browser/screenshots.py screenshots --readme
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from harness import (
    CHROMIUM,
    PAGE_PATHS,
    REPO_ROOT,
    SCREENSHOTS,
    AppServer,
    BrowserSession,
    app_script,
    assert_no_exception,
    chromium_available,
    demo_account,
    launch_browser,
    screenshot_stem,
    wait_for_idle,
)


def take_screenshots(
    paths: list[str], out: Path, first_timeout_s: float, role: str = "district"
) -> int:
    """Every path in desk mode and with ?mode=screen, against the default warehouse,
    signed in as its demo account for `role`."""
    from playwright.sync_api import sync_playwright

    if not chromium_available():
        print(f"screenshots: {CHROMIUM} is missing (apt-get install chromium)", file=sys.stderr)
        return 2
    # The app's usual warehouse: the embedded server in .cockpit, or $DATABASE_URL if set.
    server = AppServer(app_script(), dict(os.environ)).start(timeout=60)
    problems = []
    try:
        with sync_playwright() as playwright:
            browser = launch_browser(playwright)
            timeout_ms = first_timeout_s * 1000  # the first start may load the demo
            for path in paths:
                for mode in ("desk", "screen"):
                    url = path if mode == "desk" else _with_param(path, "mode=screen")
                    stem = f"{mode}-{_path_name(path)}"
                    if role != "district":
                        stem = f"{role}-{stem}"
                    session = BrowserSession(browser, server.host, stem, out, timeout_ms)
                    try:
                        session.sign_in(*demo_account(_reader_url(), role))
                        session.open(url)
                        status = "ok"
                    except Exception as error:  # keep going: the developer wants every page
                        status = f"PROBLEM: {str(error).splitlines()[0]}"
                        problems.append(f"{url}: {error}")
                    external = session.external_requests()
                    if external:
                        problems.append(f"{url}: external requests {external}")
                        status += f" ({len(external)} external requests)"
                    # no screenshot when signing in failed (e.g. no demo accounts yet)
                    shot = session.screenshots[-1] if session.screenshots else "no screenshot"
                    print(f"{url:40} -> {shot}  {status}", flush=True)
                    session.close()
                    timeout_ms = 60_000
            browser.close()
    finally:
        server.stop()
    for problem in problems:
        print(f"\n{problem}", file=sys.stderr)
    return 1 if problems else 0


def _reader_url() -> str:
    sys.path.insert(0, str(REPO_ROOT))
    from warehouse.db import reader_url

    return reader_url()


# --- scripts/screenshots --readme --------------------------------------------------------

README_SHOTS = REPO_ROOT / "docs" / "screenshots"
README_WIDTH = 1280  # px: downscaled from 1920×1080, so each PNG stays small in the repo
_DECK_PAINTED_JS = """
() => { const canvas = document.querySelector('[data-testid="stDeckGlJsonChart"] canvas');
        return canvas && canvas.clientHeight > 0; }
"""
_WALL_MAP_PAINTED_JS = """
() => { const map = document.querySelector('[data-testid="wallMap"]');
        return map && map.complete && map.naturalWidth > 0 && map.clientHeight > 0; }
"""


def take_readme_screenshots(out: Path, first_timeout_s: float) -> int:
    """The README's images: the desk overview and the desk grid map signed in as the
    district demo account, and the wall screen's overview opened with a screen token
    (made for the shot, revoked after), each at 1920×1080, saved 1280 px wide."""
    from datetime import timedelta

    from playwright.sync_api import sync_playwright

    if not chromium_available():
        print(f"screenshots: {CHROMIUM} is missing (apt-get install chromium)", file=sys.stderr)
        return 2
    raw = SCREENSHOTS / "readme"
    server = AppServer(app_script(), dict(os.environ)).start(timeout=60)
    shots: dict[str, Path] = {}  # the README's file name -> the full-size screenshot
    try:
        with sync_playwright() as playwright:
            browser = launch_browser(playwright)
            desk = BrowserSession(browser, server.host, "desk", raw)
            # The first start creates the schema and loads the demo before the sign-in form.
            wait_ms = first_timeout_s * 1000
            desk.page.goto(desk.base_url + "/", wait_until="domcontentloaded")
            wait_for_idle(desk.page, wait_ms)
            desk.sign_in(*demo_account(_reader_url(), "district"))
            desk.open("/")
            shots["desk-overview.png"] = desk.screenshots[-1]
            page = desk.open("/map")
            page.wait_for_function(_DECK_PAINTED_JS, timeout=30_000)
            page.wait_for_timeout(2000)  # deck.gl paints on the next animation frames
            shots["desk-map.png"] = desk.screenshot()
            problems = desk.external_requests()
            desk.close()

            sys.path.insert(0, str(REPO_ROOT))
            from warehouse.accounts import create_screen_token, revoke_screen_token
            from warehouse.db import owner_engine

            engine = owner_engine()
            token = create_screen_token(
                engine, "district", None, timedelta(hours=1), "scripts/screenshots --readme"
            )
            try:
                wall = BrowserSession(browser, server.host, "wall", raw)
                # Not wall.open(): the wall's ticks rerun it every few seconds, so it is
                # never idle twice in a row; its map drawn means its panels are. Shot well
                # within the first stop's dwell, before it rotates on.
                page = wall.page
                page.goto(f"{wall.base_url}/?mode=screen&token={token.token}")
                page.locator('[data-testid="wall"]').first.wait_for(timeout=90_000)
                page.wait_for_function(_WALL_MAP_PAINTED_JS, timeout=30_000)
                page.wait_for_timeout(1500)
                assert_no_exception(page, "the wall screen")
                shots["wall-overview.png"] = wall.screenshot()
                problems += wall.external_requests()
                wall.close()
            finally:
                revoke_screen_token(engine, token.token_id)
                engine.dispose()
            browser.close()
    finally:
        server.stop()
    if problems:
        print(f"screenshots: requests to other hosts: {problems}", file=sys.stderr)
        return 1
    out.mkdir(parents=True, exist_ok=True)
    for name, shot in shots.items():
        written = _save_small(shot, out / name)
        print(f"{shot} -> {written} ({written.stat().st_size // 1024} KB)")
    return 0


def _save_small(source: Path, target: Path) -> Path:
    from PIL import Image

    with Image.open(source) as image:
        height = round(image.height * README_WIDTH / image.width)
        small = image.convert("RGB").resize((README_WIDTH, height), Image.Resampling.LANCZOS)
        # 256 colours hold a flat UI and its anti-aliased text; a quarter of the bytes.
        small = small.quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
        small.save(target, format="PNG", optimize=True)
    return target


def _with_param(path: str, param: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}{param}"


def _path_name(path: str) -> str:
    name = path.strip("/") or "overview"
    return screenshot_stem(name.replace("?", "-").replace("&", "-").replace("=", "-"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="browser harness tools")
    commands = parser.add_subparsers(dest="command", required=True)
    shots = commands.add_parser("screenshots", help="screenshot pages in desk and screen mode")
    shots.add_argument("paths", nargs="*", default=PAGE_PATHS, help="URL paths (with query)")
    shots.add_argument("--out", type=Path, default=SCREENSHOTS)
    shots.add_argument(
        "--first-timeout", type=float, default=300, help="seconds for the first page"
    )
    shots.add_argument(
        "--role", choices=("district", "street", "community"), default="district",
        help="which demo account signs in",
    )  # fmt: skip
    shots.add_argument(
        "--readme", action="store_true",
        help=f"write the README's images into {README_SHOTS.relative_to(REPO_ROOT)}/ instead",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.readme:
        return take_readme_screenshots(README_SHOTS, args.first_timeout)
    return take_screenshots(args.paths, args.out, args.first_timeout, args.role)


if __name__ == "__main__":
    sys.exit(main())
