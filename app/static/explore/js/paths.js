// The path finder: the shortest chains of relationships between two entities, each hop with its evidence.
import { gql, missingField, schema, SOURCE_FIELDS } from "./api.js";
import { entityLink, h, notice, propertiesText, relationLabel, route, sourcesList, typeBadge } from "./dom.js";
import { searchEntities } from "./search.js";

/** The paths query; each hop's relationships as recorded (with their direction) when the server has them. */
function pathsQuery(s) {
  const relationships = s.has("PathHop", "relationships")
    ? `relationships { type start end properties sources { ${SOURCE_FIELDS} } }` : "";
  return `query Paths($from: ID!, $to: ID!, $maxLength: Int!, $first: Int!) {
    paths(from: $from, to: $to, maxLength: $maxLength, first: $first) {
      length nodes { __typename graphId name }
      hops { type from to properties sources { ${SOURCE_FIELDS} } ${relationships} } } }`;
}

/** A graph id as typed, or the best search hit for a name. */
async function resolve(text) {
  if (/^[a-z]+:\S+$/.test(text)) return text;
  const hits = await searchEntities(text, 5);
  if (!hits.length) throw new Error(`nothing matches "${text}"`);
  return hits[0].node.graphId;
}

function pathForm(from, to, maxLength) {
  const fromInput = h("input", { name: "from", value: from, placeholder: "from: gov:SR or a name", "aria-label": "From" });
  const toInput = h("input", { name: "to", value: to, placeholder: "to: cso:padf or a name", "aria-label": "To" });
  const lengthInput = h("select", { name: "maxLength", "aria-label": "Longest path" },
    [2, 3, 4, 5, 6].map((n) => h("option", { value: n, selected: n === maxLength }, `up to ${n} hops`)));
  const form = h("form", { class: "path-form", onsubmit: async (event) => {
    event.preventDefault();
    const message = form.querySelector(".form-error");
    message.textContent = "";
    try {
      const [a, b] = await Promise.all([resolve(fromInput.value.trim()), resolve(toInput.value.trim())]);
      window.location.hash = route("paths", a, b, { max: lengthInput.value });
    } catch (error) {
      message.textContent = `Could not find the actors: ${error.message}`;
    }
  } }, fromInput, h("span", {}, "\u2192"), toInput, lengthInput, h("button", { type: "submit" }, "Find paths"),
  h("p", { class: "form-error", role: "alert" }));
  return form;
}

/** One step of a path: each relationship on it (as recorded: an arrow up when it points back) and its sources. */
function hopView(hop, from, names) {
  const relationships = hop.relationships && hop.relationships.length ? hop.relationships
    : [{ type: hop.type, start: hop.from, end: hop.to, properties: hop.properties, sources: hop.sources }];
  return h("li", { class: "hop", "data-type": hop.type }, relationships.map((rel) => {
    const forward = rel.start === from;
    const reading = forward ? "" : ` (recorded as ${names.get(rel.start) || rel.start} \u2192 ${names.get(rel.end) || rel.end})`;
    return h("div", { class: "hop-rel" },
      h("div", { class: "hop-line" }, h("span", { class: "hop-arrow" }, forward ? "\u2193" : "\u2191"),
        h("strong", {}, relationLabel(rel.type)), h("span", { class: "muted" }, reading),
        propertiesText(rel.properties) ? h("span", { class: "props" }, ` - ${propertiesText(rel.properties)}`) : ""),
      h("div", { class: "evidence" }, h("span", { class: "muted" }, "Evidence: "), sourcesList(rel.sources)));
  }));
}

function pathView(path, index) {
  const steps = [];
  const names = new Map(path.nodes.map((n) => [n.graphId, n.name]));
  path.nodes.forEach((node, i) => {
    steps.push(h("li", { class: "path-node", "data-id": node.graphId }, entityLink(node), " ", typeBadge(node.__typename)));
    if (i < path.hops.length) steps.push(hopView(path.hops[i], node.graphId, names));
  });
  return h("section", { class: "path" }, h("h3", {}, `Path ${index + 1}: ${path.length} hop${path.length === 1 ? "" : "s"}`),
    h("ol", { class: "steps" }, steps));
}

export async function renderPaths(page, [from = "", to = ""], params, context) {
  const maxLength = Number(params.get("max") || 4);
  page.append(h("h1", {}, "Path finder"),
    h("p", { class: "lead" }, "How are two actors linked? The shortest chains of relationships between them, ",
      "each hop with the sources that state it."),
    pathForm(from, to, maxLength));
  const s = await schema();
  if (context.stale()) return;
  if (!s.has("Query", "paths")) {
    page.append(notice(missingField("Query.paths", "paths between two actors")));
    return;
  }
  if (!from || !to) return;
  const results = h("div", { class: "paths" }, h("p", { class: "loading" }, "Searching for paths..."));
  page.append(results);
  const data = await gql(pathsQuery(s), { from, to, maxLength, first: 5 });
  if (context.stale()) return;
  if (!data.paths.length) {
    results.replaceChildren(notice(`No path of up to ${maxLength} hops between ${from} and ${to}.`));
    return;
  }
  results.replaceChildren(h("p", { class: "muted" }, `${data.paths.length} shortest path${data.paths.length === 1 ? "" : "s"}`,
    ` from ${data.paths[0].nodes[0].name} to ${data.paths[0].nodes.at(-1).name}.`),
  ...data.paths.map(pathView));
}
