"""The browser side's files: the cookbook in GraphiQL, pages that load nothing from other hosts, vendored licences."""

from __future__ import annotations

import json
import re
from pathlib import Path

from app.explorer import STATIC, CookbookQuery, cookbook, graphiql_html

VENDOR = STATIC / "vendor"


def test_cookbook_has_every_query_with_its_question() -> None:
    queries = cookbook()
    files = sorted(p.name for p in (Path(__file__).resolve().parents[1] / "docs" / "queries").glob("*.graphql"))
    assert [q.file for q in queries] == files
    first = next(q for q in queries if q.file.startswith("12-"))
    assert first.title.startswith("Search tolerates typos")
    assert "Barbdos" in first.query


def test_cookbook_of_a_missing_folder_is_empty(tmp_path: Path) -> None:
    assert cookbook(tmp_path / "nowhere") == []


def test_graphiql_page_embeds_the_cookbook_safely() -> None:
    nasty = CookbookQuery("x.graphql", "</script><script>alert(1)</script>", "{ a }")
    html = graphiql_html([nasty])
    assert "</script><script>alert(1)" not in html
    data = re.search(r'<script id="cookbook" type="application/json">(.*?)</script>', html, re.S)
    assert data is not None
    assert json.loads(data.group(1)) == [{"file": "x.graphql", "title": nasty.title, "query": "{ a }"}]


def test_pages_load_only_local_files() -> None:
    pages = [STATIC / "graphiql" / "index.html", STATIC / "explore" / "index.html"]
    for page in pages:
        text = page.read_text()
        assert not re.search(r"""(src|href)=["'](https?:)?//""", text), page
        for ref in re.findall(r"""(?:src|href)=["'](/static/[^"']+)["']""", text):
            assert (STATIC / ref.removeprefix("/static/")).is_file(), ref
    for script in (STATIC / "explore" / "js").glob("*.js"):
        imports = re.findall(r"""^import\b[^;]*?\bfrom\s+["']([^"']+)["']""", script.read_text(), re.M | re.S)
        assert imports or script.name in {"dom.js", "api.js"}, script
        assert all(i.startswith("./") and (script.parent / i).is_file() for i in imports), (script, imports)


def test_vendored_files_keep_their_licences_and_stay_small() -> None:
    manifest = json.loads((VENDOR / "package.json").read_text())["dependencies"]
    readme = (VENDOR / "README.md").read_text()
    for package, version in manifest.items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{package} must be pinned exactly"
        assert f"| `{package}` | {version} |" in readme, f"README.md lists {package} {version}"
        folder = VENDOR / package
        assert any(p.name.startswith("LICENSE") for p in folder.iterdir()), f"{package} keeps its licence"
    total = sum(p.stat().st_size for p in VENDOR.rglob("*") if p.is_file())
    assert total < 5 * 1024 * 1024


def test_readme_images_exist() -> None:
    root = Path(__file__).resolve().parents[1]
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", (root / "README.md").read_text())
    assert {"docs/img/network.png", "docs/img/paths.png", "docs/img/plot-funding.png"} <= set(images)
    missing = [image for image in images if not (root / image).is_file()]
    assert missing == []
