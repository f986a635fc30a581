"""The front-end assets the pages load, installed from ``api/static/package-lock.json``.

``make setup`` (``npm ci --prefix api/static``) installs them next to the pages; the server
checks them at start (:func:`missing_assets`) and says which are missing and how to install
them, and a page whose assets are missing answers with that message instead of a blank page.
"""

from __future__ import annotations

from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parent / "static"

#: Page (or API feature) -> the asset files it cannot work without, under ``static/``.
REQUIRED_ASSETS: dict[str, tuple[str, ...]] = {
    "/sparql (query editor)": ("node_modules/@zazuko/yasgui/build/yasgui.min.js",),
    "/viewer/graph": ("node_modules/cytoscape/dist/cytoscape.min.js",),
    "/viewer/timeline": (
        "node_modules/@knight-lab/timelinejs/dist/js/timeline.js",
        "node_modules/@knight-lab/timelinejs/dist/css/timeline.css",
    ),
    "/docs": (
        "node_modules/swagger-ui-dist/swagger-ui-bundle.js",
        "node_modules/swagger-ui-dist/swagger-ui.css",
    ),
}

INSTALL_HINT = "run `make setup` (or `npm ci --prefix api/static`) to install the front-end assets"


def missing_assets(static_dir: Path = STATIC_DIR) -> dict[str, list[str]]:
    """Pages whose assets are not installed, with the missing files.

    Examples
    --------
    >>> import tempfile
    >>> sorted(missing_assets(Path(tempfile.mkdtemp())))
    ['/docs', '/sparql (query editor)', '/viewer/graph', '/viewer/timeline']
    """
    out: dict[str, list[str]] = {}
    for page, files in REQUIRED_ASSETS.items():
        absent = [f for f in files if not (static_dir / f).is_file()]
        if absent:
            out[page] = absent
    return out


def missing_message(missing: dict[str, list[str]]) -> str:
    """One line naming the pages that cannot work and how to fix it."""
    pages = ", ".join(sorted(missing))
    return f"front-end assets missing for {pages}: {INSTALL_HINT}"
