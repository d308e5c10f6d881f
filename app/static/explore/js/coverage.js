// Coverage: what the graph does not know - figures per fiscal year and kind, and entities missing facts.
import { gql, missingField, schema } from "./api.js";
import { h, notice, route, typeLabel } from "./dom.js";

const COVERAGE = `{ coverage {
  summary { kind total complete }
  fiscalYears { fiscalYear flowType account figures }
  gaps { kind id name missing } } }`;

function summaryTable(summary) {
  return h("table", { class: "coverage-summary" },
    h("thead", {}, h("tr", {}, ["Kind", "Complete", "Total", ""].map((t) => h("th", {}, t)))),
    h("tbody", {}, summary.map((row) => {
      const share = row.total ? row.complete / row.total : 0;
      return h("tr", { "data-kind": row.kind }, h("td", {}, typeLabel(row.kind)), h("td", { class: "num" }, row.complete),
        h("td", { class: "num" }, row.total),
        h("td", {}, h("span", { class: "bar" }, h("span", { style: `width:${Math.round(100 * share)}%` })),
          ` ${Math.round(100 * share)}%`));
    })));
}

/** Fiscal years as rows, kinds of figure (and account) as columns; an empty cell is a year with no such figure. */
export function yearMatrix(rows) {
  const columns = [...new Set(rows.map((r) => (r.account ? `${r.flowType} (${r.account})` : r.flowType)))].sort();
  const years = [...new Set(rows.map((r) => r.fiscalYear))].sort((a, b) => a - b);
  const cells = new Map();
  for (const r of rows) {
    const key = `${r.fiscalYear}|${r.account ? `${r.flowType} (${r.account})` : r.flowType}`;
    cells.set(key, (cells.get(key) || 0) + r.figures);
  }
  const all = [];
  if (years.length) for (let y = years[0]; y <= years.at(-1); y += 1) all.push(y);
  return { columns, years: all, cells };
}

function yearTable(rows) {
  const { columns, years, cells } = yearMatrix(rows);
  if (!years.length) return h("p", { class: "muted" }, "No dated funding figures.");
  return h("table", { class: "coverage-years" },
    h("caption", {}, "Funding figures per fiscal year and kind (blank: none known)"),
    h("thead", {}, h("tr", {}, h("th", {}, "FY"), columns.map((c) => h("th", {}, c)))),
    h("tbody", {}, years.map((y) => h("tr", {}, h("th", {}, `FY${y}`), columns.map((c) => {
      const n = cells.get(`${y}|${c}`);
      return h("td", { class: n ? "num have" : "num gap" }, n || "");
    })))));
}

function gapsView(gaps) {
  if (!gaps.length) return h("p", {}, "No gaps reported.");
  const byKind = new Map();
  for (const gap of gaps) {
    if (!byKind.has(gap.kind)) byKind.set(gap.kind, []);
    byKind.get(gap.kind).push(gap);
  }
  return [...byKind].map(([kind, items]) => h("details", { class: "gaps", "data-kind": kind, open: byKind.size <= 3 },
    h("summary", {}, `${typeLabel(kind)}: ${items.length} with missing facts`),
    h("ul", {}, items.map((gap) => h("li", {}, h("a", { href: route("entity", gap.id) }, gap.name || gap.id),
      h("span", { class: "muted" }, ` lacks ${gap.missing.join(", ")}`))))));
}

export async function renderCoverage(page, _args, _params, context) {
  page.append(h("h1", {}, "Coverage"),
    h("p", { class: "lead" }, "What the graph does not know yet: which years and kinds of funding have figures, ",
      "and which entities lack facts (sources, amounts, dates, members...)."));
  const s = await schema();
  if (context.stale()) return;
  if (!s.has("Query", "coverage")) {
    page.append(notice(missingField("Query.coverage", "the coverage report")));
    return;
  }
  const { coverage } = await gql(COVERAGE);
  if (context.stale()) return;
  page.append(
    h("section", {}, h("h2", {}, "Completeness by kind"), summaryTable(coverage.summary)),
    h("section", {}, h("h2", {}, "Funding figures by fiscal year"), yearTable(coverage.fiscalYears)),
    h("section", {}, h("h2", {}, `Gaps (${coverage.gaps.length})`), gapsView(coverage.gaps)),
  );
}
