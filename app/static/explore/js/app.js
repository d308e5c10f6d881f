// The explorer's router: every view has a hash URL (#/entity/gov%3AJM, #/network/..., #/paths/A/B, #/coverage),
// so an analyst can share exactly what is on the screen.
import { h, notice } from "./dom.js";
import { renderHome, renderSearch } from "./search.js";
import { renderEntity } from "./entity.js";
import { renderNetwork } from "./network.js";
import { renderPaths } from "./paths.js";
import { renderCoverage } from "./coverage.js";

const VIEWS = {
  "": renderHome,
  search: renderSearch,
  entity: renderEntity,
  network: renderNetwork,
  paths: renderPaths,
  coverage: renderCoverage,
};

let current = 0;

/** "#/network/gov%3AJM?rel=MEMBER_OF" -> {view: "network", args: ["gov:JM"], params: URLSearchParams}. */
export function parseHash(hash) {
  const text = hash.replace(/^#\/?/, "");
  const [path, query = ""] = text.split("?", 2);
  const parts = path.split("/").filter((p) => p !== "").map((p) => decodeURIComponent(p));
  return { view: parts[0] || "", args: parts.slice(1), params: new URLSearchParams(query) };
}

async function show() {
  const token = ++current;
  const { view, args, params } = parseHash(window.location.hash);
  const main = document.getElementById("view");
  const render = VIEWS[view];
  document.querySelectorAll("header nav a[data-view]").forEach((a) => {
    a.classList.toggle("active", a.dataset.view === (view || "home"));
  });
  const page = h("div", { class: `page page-${view || "home"}` });
  main.replaceChildren(page);
  main.dataset.state = "loading";
  if (!render) {
    page.append(notice(`No view called "${view}".`, "error"));
    main.dataset.state = "ready";
    return;
  }
  // A view builds into `page`; `stale()` tells it that the URL has changed since it started.
  const context = { stale: () => token !== current, navigate };
  try {
    await render(page, args, params, context);
  } catch (error) {
    if (!context.stale()) page.append(notice(`Could not load this view: ${error.message}`, "error"));
  }
  if (!context.stale()) main.dataset.state = "ready";
}

export function navigate(href) {
  if (window.location.hash === href) show();
  else window.location.hash = href;
}

document.getElementById("top-search").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = new FormData(event.target).get("q").trim();
  if (text) navigate(`#/search/${encodeURIComponent(text)}`);
});
window.addEventListener("hashchange", show);
show();
