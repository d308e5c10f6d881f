"""The browser side of the server: GraphiQL and the explorer, both from the project's own files.

* `/graphql` in a browser: GraphiQL from `app/static/vendor/` (no CDN), with the schema explorer and the
  cookbook (`docs/queries/*.graphql`) in its side bar.
* `/explore`: a small single-page app (`app/static/explore/`, plain JavaScript modules) that only uses the public
  GraphQL API, like any other client.
* `/static/...`: those files.

Nothing served here refers to a host other than the one the page came from, so both work offline.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

STATIC = Path(__file__).resolve().parent / "static"
COOKBOOK = Path(__file__).resolve().parents[1] / "docs" / "queries"
COOKBOOK_MARKER = "/*COOKBOOK*/[]"


@dataclass(frozen=True)
class CookbookQuery:
    """One cookbook file: its name, the question it answers (its first comment line) and its text."""

    file: str
    title: str
    query: str


def cookbook(folder: Path = COOKBOOK) -> list[CookbookQuery]:
    """The cookbook's queries in file order; none when the folder is missing (an install without docs/)."""
    if not folder.is_dir():
        return []
    queries = []
    for path in sorted(folder.glob("*.graphql")):
        text = path.read_text(encoding="utf-8")
        first = text.lstrip().splitlines()[0] if text.strip() else ""
        title = first.lstrip("#").strip() if first.startswith("#") else path.stem
        queries.append(CookbookQuery(path.name, title, text))
    return queries


def graphiql_html(queries: list[CookbookQuery]) -> str:
    """The GraphiQL page with the cookbook embedded (as JSON that cannot close the script element)."""
    page = (STATIC / "graphiql" / "index.html").read_text(encoding="utf-8")
    data = json.dumps([asdict(q) for q in queries]).replace("</", "<\\/")
    if COOKBOOK_MARKER not in page:
        raise RuntimeError(f"{STATIC / 'graphiql' / 'index.html'} lost its {COOKBOOK_MARKER} marker")
    return page.replace(COOKBOOK_MARKER, data)


def install(app: Starlette, graphql: Any) -> None:
    """Add `/explore` and `/static` to `app`, and make `graphql` answer browsers with the local GraphiQL."""
    page = graphiql_html(cookbook())

    async def render_graphql_ide(request: Request) -> Response:
        return HTMLResponse(page)

    async def explore(request: Request) -> Response:
        return FileResponse(STATIC / "explore" / "index.html", media_type="text/html")

    # Strawberry calls `render_graphql_ide` for a browser's GET of /graphql; this page replaces its CDN template.
    graphql.render_graphql_ide = render_graphql_ide
    app.router.routes.extend([
        Route("/explore", explore),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ])
