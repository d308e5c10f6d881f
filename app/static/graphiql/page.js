// GraphiQL from the vendored UMD build (globals React, ReactDOM, GraphiQL), with the cookbook as a side-bar plugin.
// The schema explorer is GraphiQL's own "Documentation Explorer" plugin, the book icon in the same side bar.
const { createElement: h, useCallback } = React;
const cookbook = JSON.parse(document.getElementById("cookbook").textContent);
const { useEditorContext } = GraphiQL.React;

function BookIcon() {
  return h("svg", { viewBox: "0 0 24 24", width: "1em", height: "1em", fill: "none", stroke: "currentColor",
    strokeWidth: 1.5, "aria-hidden": "true" },
  h("path", { d: "M4 5a2 2 0 0 1 2-2h13v16H6a2 2 0 0 0-2 2V5z" }),
  h("path", { d: "M8 7h7M8 11h7" }));
}

function Cookbook() {
  const { queryEditor } = useEditorContext({ nonNull: true });
  const open = useCallback((entry) => {
    if (queryEditor) {
      queryEditor.setValue(entry.query);
      queryEditor.focus();
    }
  }, [queryEditor]);
  return h("section", { className: "cookbook", "aria-label": "Cookbook" },
    h("div", { className: "graphiql-doc-explorer-title" }, "Cookbook"),
    h("p", null, `${cookbook.length} worked questions from docs/queries/. Click one to load it, then run it.`),
    h("ol", null, cookbook.map((entry) => h("li", { key: entry.file },
      h("button", { type: "button", title: entry.file, "data-file": entry.file, onClick: () => open(entry) },
        entry.title, h("span", { className: "file" }, entry.file))))),
    h("div", { className: "cookbook-links" }, h("a", { href: "/explore" }, "Open the explorer")));
}

const cookbookPlugin = { title: "Cookbook", icon: BookIcon, content: Cookbook };
const fetcher = GraphiQL.createFetcher({ url: new URL("/graphql", window.location.href).toString() });
const firstQuery = cookbook.length ? cookbook[0].query
  : "# Welcome to CBSI Graph\n{ graphStats { nodes { label count } } }\n";

ReactDOM.createRoot(document.getElementById("graphiql")).render(
  h(GraphiQL, {
    fetcher,
    plugins: [cookbookPlugin],
    visiblePlugin: cookbookPlugin,
    defaultQuery: firstQuery,
    defaultEditorToolsVisibility: true,
  }),
);
