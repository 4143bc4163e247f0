"""Copy the front-end packages from node_modules into the app's static files, once per install.

Nothing is loaded from a CDN: the NHS.UK frontend CSS, JS and images and htmx are served by the
desk itself. The NHS.UK stylesheet points at the NHS's own font server for the licensed Frutiger
typeface; those @font-face rules are removed here (the design system falls back to Arial), and its
absolute /assets/ image paths are made relative to where the stylesheet is served.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from civildesk.web.settings import PACKAGE_DIR, SOURCE_ROOT

NODE_MODULES = SOURCE_ROOT / "node_modules"
VENDOR_DIR = PACKAGE_DIR / "static" / "vendor"
_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}")
_EXTERNAL_URL = re.compile(r"url\(\s*['\"]?(?:https?:)?//", re.IGNORECASE)


class FrontendMissing(RuntimeError):
    """node_modules is not there: run `npm ci` in the source checkout."""


def _version(package_dir: Path) -> str:
    return str(json.loads((package_dir / "package.json").read_text(encoding="utf-8"))["version"])


def localise_css(css: str) -> str:
    css = _FONT_FACE.sub("", css)
    css = css.replace("url(/assets/", "url(assets/")
    if _EXTERNAL_URL.search(css):
        raise ValueError("the stylesheet still loads something from another site")
    return css


def wanted_versions(node_modules: Path = NODE_MODULES) -> dict[str, str]:
    return {name: _version(node_modules / name) for name in ("nhsuk-frontend", "htmx.org", "axe-core")}


def is_current(node_modules: Path = NODE_MODULES, out: Path = VENDOR_DIR) -> bool:
    stamp = out / "versions.json"
    if not stamp.exists() or not node_modules.exists():
        return stamp.exists()
    return bool(json.loads(stamp.read_text(encoding="utf-8")) == wanted_versions(node_modules))


def build(node_modules: Path = NODE_MODULES, out: Path = VENDOR_DIR) -> Path:
    nhs = node_modules / "nhsuk-frontend" / "dist" / "nhsuk"
    htmx = node_modules / "htmx.org" / "dist"
    axe = node_modules / "axe-core"
    for needed in (nhs, htmx, axe):
        if not needed.exists():
            raise FrontendMissing(f"{needed} is missing: run `npm ci` first")
    if out.exists():
        shutil.rmtree(out)
    (out / "nhsuk").mkdir(parents=True)
    (out / "htmx").mkdir()
    (out / "axe").mkdir()
    css = localise_css((nhs / "nhsuk-frontend.min.css").read_text(encoding="utf-8"))
    (out / "nhsuk" / "nhsuk-frontend.min.css").write_text(css, encoding="utf-8")
    shutil.copy2(nhs / "nhsuk-frontend.min.js", out / "nhsuk" / "nhsuk-frontend.min.js")
    shutil.copytree(nhs / "assets" / "images", out / "nhsuk" / "assets" / "images")
    shutil.copy2(htmx / "htmx.min.js", out / "htmx" / "htmx.min.js")
    shutil.copy2(axe / "axe.min.js", out / "axe" / "axe.min.js")
    (out / "versions.json").write_text(json.dumps(wanted_versions(node_modules), indent=1), encoding="utf-8")
    return out


def ensure(node_modules: Path = NODE_MODULES, out: Path = VENDOR_DIR) -> bool:
    """Build when node_modules is newer than the copy; True if the static files are in place."""
    if node_modules.exists() and not is_current(node_modules, out):
        build(node_modules, out)
    return (out / "versions.json").exists()
