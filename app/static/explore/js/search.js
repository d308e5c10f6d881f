// Home and search: the API's full-text search (typo-tolerant), exact name or alias matches first.
import { gql } from "./api.js";
import { h, notice, route, typeBadge } from "./dom.js";

const SEARCH = `query Search($text: String!, $first: Int!) {
  search(text: $text, first: $first) { score node { __typename graphId name aliases description } } }`;

function normal(text) {
  return String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
}

/** Edit distance with adjacent transpositions (optimal string alignment): "jamiaca" is 1 from "jamaica". */
export function editDistance(a, b) {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j += 1) d[0][j] = j;
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** 1 for the same text, falling towards 0 as the edits grow relative to the length. */
function closeness(text, wanted) {
  const name = normal(text);
  return 1 - editDistance(name, wanted) / Math.max(name.length, wanted.length, 1);
}

/**
 * Exact (case- and accent-blind) name or alias matches first; then names a typo away from the text (at most one
 * edit in four), closest first; then the rest in the API's order (Lucene's score).
 */
export function rankHits(text, hits) {
  const wanted = normal(text);
  const names = (hit) => [hit.node.name, ...(hit.node.aliases || [])];
  return hits.map((hit, index) => {
    const exact = names(hit).some((n) => normal(n) === wanted);
    const best = Math.max(...names(hit).map((n) => closeness(n, wanted)));
    return { hit, index, exact, near: best >= 0.75 ? best : 0 };
  })
    .sort((a, b) => (b.exact - a.exact) || (b.near - a.near) || (b.hit.score - a.hit.score) || (a.index - b.index))
    .map(({ hit, exact }) => ({ ...hit, exact }));
}

export async function searchEntities(text, first = 20) {
  const data = await gql(SEARCH, { text, first });
  return rankHits(text, data.search);
}

function searchForm(value = "") {
  const input = h("input", { type: "search", name: "q", value, placeholder: "e.g. Jamaica, IMPACS, TAFT, INL",
    "aria-label": "Search the graph", autofocus: true });
  return h("form", { class: "search-form", role: "search", onsubmit: (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (text) window.location.hash = route("search", text);
  } }, input, h("button", { type: "submit" }, "Search"));
}

export async function renderHome(page) {
  page.append(
    h("h1", {}, "Explore the CBSI graph"),
    h("p", { class: "lead" }, "Search the partners, agencies, regional bodies, programs, money and laws of the ",
      "Caribbean Basin Security Initiative. Each page shows an entity's relationships with their sources; from there, ",
      "its network, a path to another actor, or what the graph does not know yet."),
    searchForm(),
    h("h2", {}, "Start here"),
    h("ul", { class: "starts" },
      h("li", {}, h("a", { href: route("entity", "gov:JM") }, "Jamaica"), " - a partner's page"),
      h("li", {}, h("a", { href: route("network", "igo:caricom-impacs") }, "CARICOM IMPACS's network")),
      h("li", {}, h("a", { href: route("paths", "gov:SR", "cso:padf") }, "What links Suriname and PADF?")),
      h("li", {}, h("a", { href: route("coverage") }, "Coverage: what the graph does not know")),
      h("li", {}, h("a", { href: "/graphql" }, "GraphiQL"), " - the API itself, with a cookbook of queries")),
  );
}

export async function renderSearch(page, [text = ""], _params, context) {
  page.append(h("h1", {}, "Search"), searchForm(text));
  if (!text) return;
  const results = h("div", { class: "results" }, h("p", { class: "loading" }, "Searching..."));
  page.append(results);
  const hits = await searchEntities(text);
  if (context.stale()) return;
  if (!hits.length) {
    results.replaceChildren(notice(`Nothing matches "${text}".`));
    return;
  }
  results.replaceChildren(
    h("p", { class: "muted" }, `${hits.length} result${hits.length === 1 ? "" : "s"} for "${text}"`),
    h("ol", { class: "hits" }, hits.map((hit) => h("li", { class: hit.exact ? "hit exact" : "hit" },
      h("a", { href: route("entity", hit.node.graphId), class: "hit-name", "data-id": hit.node.graphId }, hit.node.name),
      " ", typeBadge(hit.node.__typename), " ", h("code", {}, hit.node.graphId),
      hit.exact ? h("span", { class: "exact-tag" }, "exact match") : null,
      hit.node.description ? h("p", { class: "desc" }, hit.node.description) : null))),
  );
}
