// Small DOM helpers: elements are built with textContent, never from HTML strings, so data cannot inject markup.

/** h("a", {href: "#/"}, "text", child...) -> HTMLElement. `class`, `data-*`, `on*` handlers and booleans allowed. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** The hash link of a view: route("entity", "gov:JM") -> "#/entity/gov%3AJM". */
export function route(view, ...parts) {
  const [last] = parts.slice(-1);
  const query = last && typeof last === "object" ? parts.pop() : null;
  let href = `#/${view}${parts.map((p) => `/${encodeURIComponent(p)}`).join("")}`;
  if (query) {
    const search = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== null && v !== undefined && v !== ""));
    if ([...search].length) href += `?${search}`;
  }
  return href;
}

export function entityLink(entity) {
  return h("a", { href: route("entity", entity.graphId), class: "entity-link", "data-id": entity.graphId },
    h("span", { class: "dot", style: `background:${typeColour(entity.__typename)}` }), entity.name || entity.graphId);
}

/** A Source as a link when it has a web address, else its title as text. */
export function sourceLink(source) {
  const label = source.title || source.name || source.graphId;
  const url = source.url || "";
  const extra = [source.publisher, source.date].filter(Boolean).join(", ");
  const text = extra ? `${label} (${extra})` : label;
  if (/^https?:\/\//i.test(url)) {
    return h("a", { href: url, class: "source", target: "_blank", rel: "noopener noreferrer", title: source.graphId }, text);
  }
  return h("span", { class: "source", title: url ? `${source.graphId}: ${url}` : source.graphId }, text);
}

export function sourcesList(sources) {
  if (!sources || !sources.length) return h("span", { class: "muted" }, "no source");
  return h("ul", { class: "sources" }, sources.map((s) => h("li", {}, sourceLink(s))));
}

export function notice(text, kind = "info") {
  return h("div", { class: `notice ${kind}`, role: kind === "error" ? "alert" : "status" }, text);
}

export function usd(value) {
  if (value === null || value === undefined) return "";
  const abs = Math.abs(value);
  for (const [size, suffix] of [[1e9, "B"], [1e6, "M"], [1e3, "k"]]) {
    if (abs >= size) return `$${(value / size).toLocaleString("en-US", { maximumFractionDigits: 2 })}${suffix}`;
  }
  return `$${value.toLocaleString("en-US", { maximumFractionDigits: 2 })}`;
}

/** "PARTICIPATES_IN" -> "participates in". */
export function relationLabel(type) {
  return type.toLowerCase().replaceAll("_", " ");
}

/** "IntergovernmentalOrganization" -> "Intergovernmental organization". */
export function typeLabel(typename) {
  const words = (typename || "").replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export const TYPE_COLOURS = {
  Government: "#1f77b4",
  Agency: "#d62728",
  IntergovernmentalOrganization: "#2ca02c",
  CivilSocietyOrganization: "#ff7f0e",
  PrivateSectorActor: "#9467bd",
  Person: "#e7ba52",
  Program: "#8c564b",
  Funding: "#e377c2",
  Objective: "#bcbd22",
  FocusArea: "#17becf",
  Mechanism: "#393b79",
  Meeting: "#6b6ecf",
  Legislation: "#637939",
  BillAction: "#8ca252",
  Source: "#7f7f7f",
};

export const ACTOR_TYPES = ["Government", "Agency", "IntergovernmentalOrganization", "CivilSocietyOrganization",
  "PrivateSectorActor"];

export function typeColour(typename) {
  return TYPE_COLOURS[typename] || "#999999";
}

export function typeBadge(typename) {
  return h("span", { class: "badge", style: `--c:${typeColour(typename)}` }, typeLabel(typename));
}

/** A property value as text: lists joined, objects as key: value. */
export function valueText(value) {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return value.map(valueText).join(", ");
  if (typeof value === "object") return Object.entries(value).map(([k, v]) => `${k}: ${valueText(v)}`).join("; ");
  return String(value);
}

export function propertiesText(properties) {
  if (!properties || typeof properties !== "object") return "";
  return Object.entries(properties)
    .filter(([key, v]) => key !== "sources" && v !== null && v !== undefined && v !== "")
    .map(([key, v]) => `${key}: ${valueText(v)}`).join("; ");
}
