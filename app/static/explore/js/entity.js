// An entity's page: its fields, its sources, funding over fiscal years, and its relationships grouped by type.
import { fetchEntity, missingField } from "./api.js";
import { entityLink, h, notice, propertiesText, relationLabel, route, sourcesList, typeBadge, valueText } from "./dom.js";
import { fundingSection } from "./funding.js";

const HIDDEN = new Set(["graphId", "name", "description", "__typename", "id"]);

/** Relationships grouped by (type, direction), in a stable order: most links first. */
export function groupRelationships(relationships) {
  const groups = new Map();
  for (const rel of relationships) {
    const key = `${rel.type} ${rel.direction}`;
    if (!groups.has(key)) groups.set(key, { type: rel.type, direction: rel.direction, items: [] });
    groups.get(key).items.push(rel);
  }
  return [...groups.values()].sort((a, b) => b.items.length - a.items.length || a.type.localeCompare(b.type));
}

function fieldsTable(entity, scalars) {
  const rows = scalars.filter((f) => !HIDDEN.has(f))
    .filter((f) => entity[f] !== null && entity[f] !== undefined && !(Array.isArray(entity[f]) && !entity[f].length))
    .map((f) => h("tr", {}, h("th", {}, f), h("td", {}, valueText(entity[f]))));
  return rows.length ? h("table", { class: "fields" }, h("tbody", {}, rows)) : null;
}

function relationshipGroup(group, self) {
  const arrow = group.direction === "out" ? `${self} \u2192` : `\u2192 ${self}`;
  return h("section", { class: "rel-group", "data-type": group.type, "data-direction": group.direction },
    h("h3", {}, relationLabel(group.type), " ", h("span", { class: "muted" }, `(${arrow}, ${group.items.length})`)),
    h("table", { class: "rels" },
      h("thead", {}, h("tr", {}, h("th", {}, "With"), h("th", {}, "Properties"), h("th", {}, "Sources"))),
      h("tbody", {}, group.items.map((rel) => h("tr", {},
        h("td", {}, entityLink(rel.other), " ", typeBadge(rel.other.__typename)),
        h("td", {}, propertiesText(rel.properties)),
        h("td", {}, sourcesList(rel.sources)))))));
}

export async function renderEntity(page, [graphId], _params, context) {
  if (!graphId) {
    page.append(notice("Which entity? Search for one first.", "error"));
    return;
  }
  page.append(h("p", { class: "loading" }, `Loading ${graphId}...`));
  const { entity, scalars, hasRelationships } = await fetchEntity(graphId);
  if (context.stale()) return;
  page.replaceChildren();
  const relationships = entity.relationships || [];
  const parts = [
    h("header", { class: "entity-head" },
      h("h1", { "data-id": entity.graphId }, entity.name), typeBadge(entity.__typename), " ", h("code", {}, entity.graphId),
      h("nav", { class: "entity-actions" },
        h("a", { href: route("network", entity.graphId), class: "button" }, "Network"),
        h("a", { href: route("paths", entity.graphId, ""), class: "button" }, "Find a path from here"))),
    entity.description ? h("p", { class: "lead" }, entity.description) : null,
    fieldsTable(entity, scalars),
    h("section", { class: "entity-sources" }, h("h2", {}, "Sources"), sourcesList(entity.sources)),
  ];
  page.append(...parts.filter(Boolean));
  if (!hasRelationships) {
    page.append(notice(missingField("Entity.relationships", "this entity's relationships and funding")));
    return;
  }
  const funding = fundingSection(relationships);
  if (funding) page.append(funding);
  const groups = groupRelationships(relationships);
  page.append(h("section", { class: "relationships" },
    h("h2", {}, `Relationships (${relationships.length}${relationships.length >= 100 ? ", the first 100" : ""})`),
    groups.length ? groups.map((g) => relationshipGroup(g, entity.name)) : h("p", { class: "muted" }, "None.")));
}
