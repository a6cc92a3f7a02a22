"""One Data Docs site for many stored validations, readable offline: the pages' assets ship with the package.

Great Expectations renders Data Docs whose pages load bootstrap, jQuery, popper, bootstrap-table and Font
Awesome from public CDNs (and its logo from a web bucket): on an intranet without internet they show
unstyled. The site is built from the GX results stored per filing (staging validation/<type>/<sha>/
gx_result.json), then every page is rewritten to load bootstrap, jQuery and Font Awesome from the site's own
static/vendor/ folder, copied from the XStatic packages (PyPI) that ship those libraries' distribution
files. Every other external script or stylesheet (popper, bootstrap-table, vega) is removed — bootstrap's
bundle carries popper, and the pages need no more to show styled — so no page makes a request off the
machine. GX's run time is fixed: the same results give the same bytes.
"""

from __future__ import annotations

import importlib
import json
import posixpath
import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from greenmfg.validation import gx

VENDOR = "static/vendor/"
_CDNJS = "https://cdnjs.cloudflare.com/ajax/libs/"
# CDN address → (XStatic package, file in its data folder) shipping that library, for the addresses GX 1.24's
# templates name. The packages' versions may differ in the last digits (bootstrap 4.5 for 4.3).
SHIPPED: dict[str, tuple[str, str]] = {
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": (
        "bootstrap",
        "css/bootstrap.min.css",
    ),
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": (
        "bootstrap",
        "js/bootstrap.bundle.min.js",
    ),
    "https://code.jquery.com/jquery-3.7.1.min.js": ("jquery", "jquery.min.js"),
    _CDNJS + "font-awesome/6.6.0/css/all.min.css": ("font_awesome", "css/all.min.css"),
}
# Files a shipped stylesheet loads itself (Font Awesome's fonts), copied beside it.
COMPANIONS: dict[str, tuple[str, ...]] = {"font_awesome": ("webfonts",)}
_RUN_TIME = "2000-01-01T00:00:00+00:00"
# A <link> or <script> element whose address is off the machine; group 2 is the address.
_EXTERNAL = re.compile(
    r"""<(link|script)\b[^>]*?\b(?:href|src)\s*=\s*["'](https?://[^"']+)["'][^>]*>(?:\s*</script>)?""",
    re.IGNORECASE,
)
_EXTERNAL_IMAGE = re.compile(r"""<img\b[^>]*?\bsrc\s*=\s*["']https?://[^"']+["'][^>]*>""", re.IGNORECASE)
# An image an inline style loads from the web: only GX's logo, replaced by the one GX itself ships.
_EXTERNAL_CSS_URL = re.compile(r"""url\(\s*['"]?https?://[^)'"]+['"]?\s*\)""", re.IGNORECASE)
LOCAL_LOGO = "static/images/logo-long.png"


def build_site(validations: Mapping[tuple[str, str], dict], out_dir: Path) -> Path:
    """Render the stored GX results {(filing type, sha256): gx_result JSON} as one site under `out_dir`.

    Returns the path of its index page. Pages are named by filing type and the first 12 hex of the hash.
    """
    great_expectations = gx.gx_module()
    from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResultSchema
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    from greenmfg.validation.suites import suite_dict

    schema = ExpectationSuiteValidationResultSchema()
    with tempfile.TemporaryDirectory(prefix="greenmfg-gx-site-") as workdir:
        context = great_expectations.get_context(mode="file", project_root_dir=workdir)
        context.variables.progress_bars = {"globally": False}
        for filing_type in sorted({filing_type for filing_type, _ in validations}):
            suite = suite_dict(filing_type)
            context.suites.add(gx.build_suite(filing_type, suite["expectations"]))
        for (filing_type, sha256), stored in sorted(validations.items()):
            key = ValidationResultIdentifier(
                expectation_suite_identifier=ExpectationSuiteIdentifier(name=filing_type),
                run_id=RunIdentifier(run_name=sha256[:12], run_time=_RUN_TIME),
                batch_identifier=sha256[:12],
            )
            context.validation_results_store.set(key, schema.load(stored))
        context.build_data_docs()
        site = Path(workdir) / "gx" / "uncommitted" / "data_docs" / "local_site"
        out_dir.mkdir(parents=True, exist_ok=True)
        for path in sorted(p for p in site.rglob("*") if p.is_file()):
            relative = path.relative_to(site).as_posix()
            target = out_dir / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            if path.suffix == ".html":
                target.write_text(localise(path.read_text(encoding="utf-8"), relative), encoding="utf-8")
            else:
                shutil.copyfile(path, target)
    for source, relative in shipped_files():
        target = out_dir / VENDOR / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return out_dir / "index.html"


def localise(html: str, page: str) -> str:
    """The page with every CDN asset pointed at the shipped copy and every other external asset removed."""
    folder = posixpath.dirname(page) or "."

    def replace(match: re.Match[str]) -> str:
        shipped = SHIPPED.get(match.group(2))
        if shipped is None:
            return ""
        local = posixpath.relpath(VENDOR + vendored(*shipped), folder)
        if match.group(1).lower() == "link":
            return f'<link rel="stylesheet" href="{local}">'
        return f'<script src="{local}"></script>'

    logo = f"url('{posixpath.relpath(LOCAL_LOGO, folder)}')"
    return _EXTERNAL_CSS_URL.sub(logo, _EXTERNAL_IMAGE.sub("", _EXTERNAL.sub(replace, html)))


def package_dir(package: str) -> Path:
    """The data folder of an XStatic package (xstatic.pkg.<package>.BASE_DIR)."""
    module = importlib.import_module(f"xstatic.pkg.{package}")
    return Path(module.BASE_DIR)


def vendored(package: str, relative: str) -> str:
    """Where a shipped file lands under the site's static/vendor/ folder."""
    return f"{package}/{relative}"


def shipped_files() -> Iterator[tuple[Path, str]]:
    """(file in its package, path under static/vendor/) of every asset the pages load, fonts included."""
    wanted = {(package, relative) for package, relative in SHIPPED.values()}
    for package, folders in COMPANIONS.items():
        for folder in folders:
            base = package_dir(package)
            wanted |= {(package, p.relative_to(base).as_posix()) for p in (base / folder).glob("*.woff2")}
    for package, relative in sorted(wanted):
        yield package_dir(package) / relative, vendored(package, relative)


def load_results(texts: Mapping[tuple[str, str], bytes]) -> dict[tuple[str, str], dict]:
    """Stored gx_result.json bytes → the dicts build_site takes."""
    return {slot: json.loads(text) for slot, text in texts.items()}
