// An entity's neighbourhood drawn with Cytoscape.js: expand any node, filter by relationship type and node type,
// colour by type, size by links in view. The URL keeps the expanded nodes and the filters.
import { fetchEntity, gql, missingField, schema } from "./api.js";
import { ACTOR_TYPES, h, notice, relationLabel, route, typeColour, typeLabel } from "./dom.js";

const MIN_SIZE = 18;
const COMMUNITY_COLOURS = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
  "#9c755f", "#bab0ac"];
const COMMUNITIES = "{ network { communities { modularity communities { index size members } } } }";

/** Graph id -> community index (Louvain, seeded, on the whole cooperation network), from the API. */
async function fetchCommunities() {
  const data = await gql(COMMUNITIES);
  const byId = new Map();
  for (const community of data.network.communities.communities) {
    for (const member of community.members) byId.set(member, community.index);
  }
  return { byId, modularity: data.network.communities.modularity };
}

function communityColour(index) {
  return index === undefined ? "#d0d0d0" : COMMUNITY_COLOURS[index % COMMUNITY_COLOURS.length];
}
const MAX_SIZE = 56;

function listParam(params, name) {
  return (params.get(name) || "").split(",").map((s) => s.trim()).filter(Boolean);
}

function shortLabel(name, width = 26) {
  return name.length <= width ? name : `${name.slice(0, width - 1)}\u2026`;
}

/** Node and edge records of one entity's relationships (direction kept: out = from the entity). */
export function neighbourhood(entity) {
  const nodes = [{ id: entity.graphId, name: entity.name, type: entity.__typename }];
  const edges = [];
  for (const rel of entity.relationships || []) {
    const other = rel.other;
    nodes.push({ id: other.graphId, name: other.name, type: other.__typename });
    const [source, target] = rel.direction === "in" ? [other.graphId, entity.graphId] : [entity.graphId, other.graphId];
    edges.push({ id: `${source}|${rel.type}|${target}`, source, target, type: rel.type });
  }
  return { nodes, edges };
}

class NetworkView {
  constructor(page, centre, params) {
    this.page = page;
    this.centre = centre;
    this.expanded = new Set([centre, ...listParam(params, "expand")]);
    this.hiddenRelations = new Set(listParam(params, "hideRel"));
    this.hiddenTypes = new Set(listParam(params, "hideType"));
    this.colourBy = params.get("colour") === "community" ? "community" : "type";
    this.communities = null;
    this.names = new Map();
    this.loading = new Set();
  }

  url() {
    return route("network", this.centre, {
      expand: [...this.expanded].filter((id) => id !== this.centre).join(","),
      hideRel: [...this.hiddenRelations].join(","),
      hideType: [...this.hiddenTypes].join(","),
      colour: this.colourBy === "community" ? "community" : "",
    });
  }

  remember() {
    window.history.replaceState(null, "", this.url());
  }

  async load(graphId) {
    this.loading.add(graphId);
    try {
      const { entity, hasRelationships } = await fetchEntity(graphId);
      if (!hasRelationships) throw new Error(missingField("Entity.relationships", "a network"));
      this.add(neighbourhood(entity));
      return entity;
    } finally {
      this.loading.delete(graphId);
    }
  }

  add({ nodes, edges }) {
    const cy = this.cy;
    cy.batch(() => {
      for (const node of nodes) {
        this.names.set(node.id, node.name);
        if (cy.getElementById(node.id).empty()) {
          cy.add({ group: "nodes", data: { id: node.id, name: node.name, label: shortLabel(node.name), type: node.type,
            colour: typeColour(node.type), size: MIN_SIZE } });
        }
      }
      for (const edge of edges) {
        if (cy.getElementById(edge.id).empty()) cy.add({ group: "edges", data: edge });
      }
      cy.nodes().forEach((n) => n.toggleClass("expanded", this.expanded.has(n.id())));
      this.paint();
      cy.getElementById(this.centre).addClass("centre");
    });
  }

  async expand(graphId) {
    if (this.loading.has(graphId)) return;
    this.expanded.add(graphId);
    this.remember();
    this.status(`Expanding ${this.names.get(graphId) || graphId}...`);
    await this.load(graphId);
    this.refresh(true);
  }

  /** Apply the filters, recompute sizes (links in view), redraw the panels; lay out again when asked. */
  refresh(layout) {
    const cy = this.cy;
    cy.batch(() => {
      cy.edges().forEach((e) => e.toggleClass("hidden", this.hiddenRelations.has(e.data("type"))));
      cy.nodes().forEach((n) => {
        const typeHidden = this.hiddenTypes.has(n.data("type")) && n.id() !== this.centre;
        n.toggleClass("hidden", typeHidden);
      });
      cy.edges().forEach((e) => {
        if (e.source().hasClass("hidden") || e.target().hasClass("hidden")) e.addClass("hidden");
      });
      // a node left with no visible link (other than the centre) is hidden too: it would float alone
      cy.nodes().forEach((n) => {
        if (n.id() !== this.centre && !n.hasClass("hidden") && n.connectedEdges().not(".hidden").empty()) {
          n.addClass("hidden");
        }
      });
    });
    const visible = cy.nodes().not(".hidden");
    const degrees = visible.map((n) => n.connectedEdges().not(".hidden").length);
    this.maxDegree = Math.max(1, ...degrees);
    visible.forEach((n) => {
      const degree = n.connectedEdges().not(".hidden").length;
      n.data("degree", degree);
      n.data("size", this.sizeFor(degree));
    });
    if (layout) {
      cy.layout({ name: "cose", animate: false, randomize: false, nodeRepulsion: () => 40000, idealEdgeLength: () => 110,
        nodeOverlap: 20, componentSpacing: 60,
        padding: 30, eles: cy.elements().not(".hidden") }).run();
      cy.fit(cy.elements().not(".hidden"), 30);
      if (cy.zoom() > 1.3) { // a small neighbourhood: keep labels at reading size rather than blown up
        cy.zoom(1.3);
        cy.center(cy.elements().not(".hidden"));
      }
    }
    this.panels();
  }

  /** Colour every node by its type, or by its community in the whole network (grey: not an actor in one). */
  paint() {
    this.cy.nodes().forEach((n) => {
      const community = this.communities ? this.communities.byId.get(n.id()) : undefined;
      n.data("community", community);
      n.data("colour", this.colourBy === "community" ? communityColour(community) : typeColour(n.data("type")));
    });
  }

  async setColour(by) {
    this.colourBy = by;
    if (by === "community" && !this.communities) {
      this.status("Loading communities...");
      try {
        this.communities = await fetchCommunities();
      } catch (error) {
        this.colourBy = "type";
        this.status(`Communities are not available: ${error.message}`);
      }
    }
    this.remember();
    this.paint();
    this.panels();
  }

  sizeFor(degree) {
    if (this.maxDegree <= 1) return MIN_SIZE + 6;
    return MIN_SIZE + (MAX_SIZE - MIN_SIZE) * Math.sqrt((degree - 1) / (this.maxDegree - 1));
  }

  status(text) {
    this.statusLine.textContent = text;
  }

  panels() {
    const cy = this.cy;
    const visibleNodes = cy.nodes().not(".hidden");
    const visibleEdges = cy.edges().not(".hidden");
    this.status(`${visibleNodes.length} nodes and ${visibleEdges.length} links shown ` +
      `(${cy.nodes().length} nodes loaded, ${this.expanded.size} expanded). Click a node for details; double-click to expand it.`);
    const relationCounts = countBy(cy.edges().map((e) => e.data("type")));
    const typeCounts = countBy(cy.nodes().map((n) => n.data("type")));
    this.relationFilter.replaceChildren(...[...relationCounts].sort().map(([type, count]) =>
      checkbox(`${relationLabel(type)} (${count})`, !this.hiddenRelations.has(type), (on) => {
        toggle(this.hiddenRelations, type, !on);
        this.remember();
        this.refresh(false);
      }, { "data-relation": type })));
    const order = (t) => (ACTOR_TYPES.includes(t) ? ACTOR_TYPES.indexOf(t) : 10);
    this.typeFilter.replaceChildren(...[...typeCounts].sort((a, b) => order(a[0]) - order(b[0]) || a[0].localeCompare(b[0]))
      .map(([type, count]) => checkbox(h("span", {},
        h("span", { class: "swatch", style: `background:${typeColour(type)}` }), `${typeLabel(type)} (${count})`),
      !this.hiddenTypes.has(type), (on) => {
        toggle(this.hiddenTypes, type, !on);
        this.remember();
        this.refresh(false);
      }, { "data-type": type })));
    this.colourChoice.value = this.colourBy;
    if (this.colourBy === "community" && this.communities) {
      const shown = countBy(visibleNodes.map((n) => n.data("community")));
      this.communityLegend.replaceChildren(h("h3", {}, "Communities (colour)"),
        h("p", { class: "muted" }, `Louvain communities of the whole cooperation network (modularity ` +
          `${this.communities.modularity.toFixed(2)}); grey: not an actor in one.`),
        ...[...shown].sort((a, b) => b[1] - a[1]).map(([index, count]) => h("div", { class: "check" },
          h("span", { class: "swatch", style: `background:${communityColour(index)}` }),
          index === undefined ? `none (${count})` : `community ${index + 1} (${count} shown)`)));
      this.communityLegend.hidden = false;
    } else {
      this.communityLegend.hidden = true;
    }
    const sizes = [...new Set([1, Math.round((1 + this.maxDegree) / 2), this.maxDegree])].filter((d) => d >= 1);
    this.sizeLegend.replaceChildren(h("p", {}, "Node size: links shown in this view"),
      h("div", { class: "size-legend" }, sizes.map((d) => h("span", { class: "size-item" },
        h("span", { class: "size-dot", style: `width:${this.sizeFor(d)}px;height:${this.sizeFor(d)}px` }), `${d}`))),
      h("p", { class: "muted" }, "Thick border: the centre; dashed: expanded."));
    this.nodeList.replaceChildren(...visibleNodes.sort((a, b) => a.data("name").localeCompare(b.data("name")))
      .map((n) => h("li", { "data-id": n.id(), "data-type": n.data("type") },
        h("a", { href: route("entity", n.id()) }, n.data("name")), ` (${n.data("degree")})`)));
    this.nodeListTitle.textContent = `Nodes in view (${visibleNodes.length})`;
  }

  details(node) {
    const id = node.id();
    this.detailsPanel.replaceChildren(
      h("h3", {}, node.data("name")),
      h("p", {}, h("span", { class: "swatch", style: `background:${node.data("colour")}` }), typeLabel(node.data("type")),
        " ", h("code", {}, id)),
      h("p", {}, `${node.data("degree") || 0} links shown`),
      h("p", { class: "actions" },
        h("a", { href: route("entity", id), class: "button" }, "Open page"),
        this.expanded.has(id) ? h("span", { class: "muted" }, "expanded")
          : h("button", { type: "button", class: "button", onclick: () => this.expand(id) }, "Expand"),
        h("a", { href: route("network", id), class: "button" }, "Centre here")));
  }

  build() {
    this.statusLine = h("p", { class: "status" }, "Loading...");
    this.relationFilter = h("div", { class: "filter" });
    this.typeFilter = h("div", { class: "filter" });
    this.sizeLegend = h("div", {});
    this.communityLegend = h("section", { hidden: true });
    this.colourChoice = h("select", { "aria-label": "Colour nodes by", onchange: (e) => this.setColour(e.target.value) },
      h("option", { value: "type" }, "type"), h("option", { value: "community" }, "community"));
    this.detailsPanel = h("div", { class: "details" }, h("p", { class: "muted" }, "Click a node."));
    this.nodeList = h("ul", { class: "node-list" });
    this.nodeListTitle = h("summary", {}, "Nodes in view");
    const canvas = h("div", { id: "cy", class: "cy", role: "img", "aria-label": "Network of relationships" });
    this.page.append(
      h("header", { class: "entity-head" }, h("h1", {}, "Network of ", h("a", { href: route("entity", this.centre), id: "centre-name" },
        this.centre))),
      this.statusLine,
      h("div", { class: "network" }, canvas,
        h("aside", { class: "network-side" },
          h("section", {}, h("h3", {}, "Colour by ", this.colourChoice)),
          this.communityLegend,
          h("section", {}, h("h3", {}, "Node types"), this.typeFilter),
          h("section", {}, h("h3", {}, "Relationships"), this.relationFilter),
          h("section", {}, h("h3", {}, "Size"), this.sizeLegend),
          h("section", {}, h("h3", {}, "Selected"), this.detailsPanel))),
      h("details", { class: "nodes-in-view" }, this.nodeListTitle, this.nodeList),
    );
    this.cy = window.cytoscape({
      container: canvas,
      style: [
        { selector: "node", style: { "background-color": "data(colour)", label: "data(label)", width: "data(size)",
          height: "data(size)", "font-size": 10, "text-valign": "bottom", "text-margin-y": 3, color: "#222", "min-zoomed-font-size": 7,
          "text-wrap": "wrap", "text-max-width": 110,
          "text-background-color": "#fff", "text-background-opacity": 0.7, "text-background-padding": 1,
          "border-width": 1, "border-color": "#fff" } },
        { selector: "node.centre", style: { "border-width": 4, "border-color": "#222", "font-weight": "bold" } },
        { selector: "node.expanded", style: { "border-width": 3, "border-style": "dashed", "border-color": "#444" } },
        { selector: "node.centre.expanded", style: { "border-width": 4, "border-style": "solid" } },
        { selector: "node:selected", style: { "overlay-color": "#f5c518", "overlay-opacity": 0.35 } },
        { selector: "edge", style: { width: 1.4, "line-color": "#b8b8b8", "target-arrow-color": "#b8b8b8",
          "target-arrow-shape": "triangle", "arrow-scale": 0.7, "curve-style": "bezier" } },
        { selector: "edge.show-label, edge:selected", style: { label: "data(type)", "font-size": 8, color: "#555",
          "text-rotation": "autorotate", "text-background-color": "#fff", "text-background-opacity": 0.8 } },
        { selector: ".hidden", style: { display: "none" } },
      ],
    });
    this.cy.on("tap", "node", (event) => this.details(event.target));
    this.cy.on("dbltap", "node", (event) => this.expand(event.target.id()));
    this.cy.on("mouseover", "node", (event) => event.target.connectedEdges().addClass("show-label"));
    this.cy.on("mouseout", "node", (event) => event.target.connectedEdges().removeClass("show-label"));
    window.explorerNetwork = this.cy; // for the browser tests and the console
  }
}

function countBy(values) {
  const counts = new Map();
  for (const v of values) counts.set(v, (counts.get(v) || 0) + 1);
  return counts;
}

function toggle(set, value, on) {
  if (on) set.add(value);
  else set.delete(value);
}

function checkbox(label, checked, onChange, attrs = {}) {
  const input = h("input", { type: "checkbox", checked, ...attrs, onchange: (e) => onChange(e.target.checked) });
  return h("label", { class: "check" }, input, " ", label);
}

export async function renderNetwork(page, [centre], params, context) {
  if (!centre) {
    page.append(notice("Whose network? Open an entity's page and follow its Network link.", "error"));
    return;
  }
  if (!window.cytoscape) {
    page.append(notice("Cytoscape.js did not load (app/static/vendor/cytoscape).", "error"));
    return;
  }
  const view = new NetworkView(page, centre, params);
  view.build();
  const [entity] = await Promise.all([...view.expanded].map((id) => view.load(id)));
  if (context.stale()) return;
  document.getElementById("centre-name").textContent = entity.name;
  if (view.colourBy === "community") {
    const s = await schema();
    if (s.has("Query", "network")) await view.setColour("community");
    if (context.stale()) return;
  }
  view.refresh(true);
  view.details(view.cy.getElementById(centre));
}
