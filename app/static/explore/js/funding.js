// Funding on an entity page: annual figures by fiscal year as grouped bars (one bar per kind of figure, never
// summed or stacked across kinds), and multi-year or cumulative statements in a table apart, labelled as such.
import { h, route, usd } from "./dom.js";

// Requests beside appropriations, then the rest in the order money moves.
const FLOW_ORDER = ["request", "proposed", "appropriation", "authorization", "allocation", "commitment", "pledge",
  "obligation", "disbursement", "expenditure", "provided", "incoming", "in-kind", "other"];
const FLOW_COLOURS = {
  request: "#9ecae1", proposed: "#c6dbef", appropriation: "#08519c", authorization: "#6baed6",
  allocation: "#31a354", commitment: "#74c476", pledge: "#a1d99b", obligation: "#e6550d", disbursement: "#fd8d3c",
  expenditure: "#fdae6b", provided: "#756bb1", incoming: "#9e9ac8", "in-kind": "#bcbddc", other: "#969696",
};
const ROLE = { PROVIDES: "provided", RECEIVED_BY: "received", FUNDS: "funding this program" };

export function flowOrder(flowType) {
  const index = FLOW_ORDER.indexOf(flowType);
  return index === -1 ? FLOW_ORDER.length : index;
}

/** Funding nodes linked to the entity, once each, with how they are linked ("provided", "received"...). */
export function fundingFigures(relationships) {
  const byId = new Map();
  for (const rel of relationships || []) {
    if (rel.other.__typename !== "Funding") continue;
    const figure = byId.get(rel.other.graphId) || { ...rel.other, roles: new Set() };
    figure.roles.add(ROLE[rel.type] || rel.type.toLowerCase());
    byId.set(rel.other.graphId, figure);
  }
  return [...byId.values()].map((f) => ({ ...f, role: [...f.roles].sort().join(" and ") }));
}

export function isAnnual(figure) {
  return figure.fiscalYear !== null && figure.fiscalYear !== undefined && !figure.cumulative;
}

export function periodText(figure) {
  if (isAnnual(figure)) return `FY${figure.fiscalYear}`;
  const start = figure.fiscalYearStart ?? figure.fiscalYear;
  const end = figure.fiscalYearEnd;
  let text = "undated";
  if (start && end) text = start === end ? `FY${start}` : `FY${start}-FY${end}`;
  else if (start) text = `from FY${start}`;
  else if (end) text = `up to FY${end}`;
  if (figure.cumulative) text = `cumulative, ${text}${figure.asOf ? `, as of ${figure.asOf}` : ""}`;
  return text;
}

const WHOLE_PROGRAM = new Set([null, undefined, "MULTIPLE"]);

/**
 * {years, series: [{label, flowType, values}]}: per fiscal year and kind (and link role), the largest stated
 * annual figure. Never a sum: sources restate figures ("$58 million", "not less than $60 million") and split
 * them into budget accounts, so adding them would count money twice. Whole-program figures are preferred to
 * account splits; every figure is in the table under the chart.
 */
export function annualSeries(figures) {
  const annual = figures.filter((f) => isAnnual(f) && f.amountUsd !== null && f.amountUsd !== undefined);
  if (!annual.length) return { years: [], series: [] };
  const first = Math.min(...annual.map((f) => f.fiscalYear));
  const last = Math.max(...annual.map((f) => f.fiscalYear));
  const years = Array.from({ length: last - first + 1 }, (_, i) => first + i);
  const manyRoles = new Set(annual.map((f) => f.role)).size > 1;
  const groups = new Map();
  const whole = new Set(annual.filter((f) => WHOLE_PROGRAM.has(f.account)).map((f) => `${f.fiscalYear}|${f.flowType}|${f.role}`));
  for (const f of annual) {
    if (!WHOLE_PROGRAM.has(f.account) && whole.has(`${f.fiscalYear}|${f.flowType}|${f.role}`)) continue;
    const key = manyRoles ? `${f.flowType} (${f.role})` : f.flowType;
    const group = groups.get(key) || { label: key, flowType: f.flowType, values: years.map(() => null) };
    const i = f.fiscalYear - first;
    group.values[i] = Math.max(group.values[i] ?? -Infinity, f.amountUsd);
    groups.set(key, group);
  }
  const series = [...groups.values()].sort((a, b) => flowOrder(a.flowType) - flowOrder(b.flowType)
    || a.label.localeCompare(b.label));
  return { years, series };
}

function amountText(f) {
  if (f.amountUsd !== null && f.amountUsd !== undefined) return usd(f.amountUsd);
  if (f.amount !== null && f.amount !== undefined) return `${f.amount.toLocaleString("en-US")} ${f.currency || ""}`;
  return "no amount";
}

function figureTable(figures, caption) {
  return h("table", { class: "figures" }, h("caption", {}, caption),
    h("thead", {}, h("tr", {}, ["Period", "Kind", "Account", "Amount", "Link", "Figure"].map((t) => h("th", {}, t)))),
    h("tbody", {}, figures.map((f) => h("tr", {},
      h("td", {}, periodText(f)), h("td", {}, f.flowType || ""), h("td", {}, f.account || "all"), h("td", { class: "num" }, amountText(f),
        f.amountQualifier && f.amountQualifier !== "exactly" ? ` (${f.amountQualifier})` : ""),
      h("td", {}, f.role), h("td", {}, h("a", { href: route("entity", f.graphId) }, f.name || f.graphId))))));
}

export function fundingSection(relationships) {
  const figures = fundingFigures(relationships);
  if (!figures.length) return null;
  const section = h("section", { class: "funding", id: "funding" }, h("h2", {}, "Funding"));
  const { years, series } = annualSeries(figures);
  const annual = figures.filter(isAnnual).sort((a, b) => a.fiscalYear - b.fiscalYear
    || flowOrder(a.flowType) - flowOrder(b.flowType));
  const apart = figures.filter((f) => !isAnnual(f)).sort((a, b) => periodText(a).localeCompare(periodText(b)));
  if (series.length) {
    const canvas = h("canvas", { role: "img", "aria-label": "Annual funding by fiscal year, USD, by kind of figure" });
    section.append(h("div", { class: "chart" }, canvas),
      h("p", { class: "muted" }, "Annual figures in USD by U.S. fiscal year, one bar per kind of figure side by side: ",
        "kinds are never added together. Where sources state several figures for one year and kind, the bar is the ",
        "largest (restatements and budget-account splits would otherwise count twice); all are in the table below. ",
        "Source: the Funding nodes linked here, each with its own sources."));
    requestAnimationFrame(() => drawChart(canvas, years, series));
  }
  if (annual.length) section.append(h("details", {}, h("summary", {}, `Annual figures (${annual.length})`),
    figureTable(annual, "Annual figures")));
  if (apart.length) section.append(figureTable(apart,
    "Multi-year and cumulative statements (not annual figures, so not in the chart)"));
  return section;
}

function drawChart(canvas, years, series) {
  if (!window.Chart || !canvas.isConnected) return;
  const chart = new window.Chart(canvas, {
    type: "bar",
    data: {
      labels: years.map((y) => `FY${y}`),
      datasets: series.map((s) => ({ label: s.label, data: s.values, backgroundColor: FLOW_COLOURS[s.flowType] || "#999" })),
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: {
        title: { display: true, text: "Annual funding by fiscal year (USD)" },
        legend: { position: "bottom", title: { display: true, text: "Kind of figure" } },
        tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${usd(item.raw)}` } },
      },
      scales: {
        x: { title: { display: true, text: "U.S. fiscal year" } },
        y: { beginAtZero: true, title: { display: true, text: "USD" }, ticks: { callback: (v) => usd(v) } },
      },
    },
  });
  canvas.chart = chart;
}
