// The public GraphQL API, and what this server's schema offers (read once by introspection), so that the
// explorer asks only for fields that exist and says clearly which view needs a field the server lacks.

export class ApiError extends Error {
  constructor(errors) {
    super(errors.map((e) => e.message).join("; "));
    this.errors = errors;
    this.codes = errors.map((e) => (e.extensions || {}).code).filter(Boolean);
  }
}

export async function gql(query, variables = {}) {
  let response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ query, variables }),
    });
  } catch (error) {
    throw new Error(`the server did not answer (${error.message})`);
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new Error(`the server answered HTTP ${response.status} without JSON`);
  }
  if (body.errors && body.errors.length) throw new ApiError(body.errors);
  return body.data;
}

const TYPE_REF = "kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } }";
const INTROSPECTION = `{ __schema { types { name kind possibleTypes { name }
  fields { name args { name type { ${TYPE_REF} } } type { ${TYPE_REF} } } } } }`;

function unwrap(ref) {
  let list = false;
  while (ref.ofType) {
    if (ref.kind === "LIST") list = true;
    ref = ref.ofType;
  }
  return { kind: ref.kind, name: ref.name, list };
}

export class Schema {
  constructor(types) {
    this.types = new Map(types.map((t) => [t.name, t]));
  }

  fields(typeName) {
    const type = this.types.get(typeName);
    return type && type.fields ? type.fields : [];
  }

  field(typeName, fieldName) {
    return this.fields(typeName).find((f) => f.name === fieldName) || null;
  }

  has(typeName, fieldName) {
    return this.field(typeName, fieldName) !== null;
  }

  /** Only those of `names` that `typeName` has. */
  pick(typeName, names) {
    return names.filter((name) => this.has(typeName, name));
  }

  /** Scalar and enum fields (and lists of them) that take no required argument: what an entity page shows. */
  scalarFields(typeName) {
    return this.fields(typeName)
      .filter((f) => ["SCALAR", "ENUM"].includes(unwrap(f.type).kind))
      .filter((f) => !f.args.some((a) => a.type.kind === "NON_NULL"))
      .map((f) => f.name);
  }

  /** The root field that looks up `typeName` by graph id (`government(id:)` for Government), or null. */
  lookupField(typeName) {
    const root = this.fields("Query").find((f) => {
      const target = unwrap(f.type);
      return !target.list && target.name === typeName && f.args.length === 1 && f.args[0].name === "id";
    });
    return root ? root.name : null;
  }

  /** The concrete types implementing an interface (`Entity`). */
  implementations(interfaceName) {
    const type = this.types.get(interfaceName);
    return type && type.possibleTypes ? type.possibleTypes.map((t) => t.name) : [];
  }
}

let schemaPromise = null;

export function schema() {
  if (!schemaPromise) {
    schemaPromise = gql(INTROSPECTION).then((data) => new Schema(data.__schema.types));
    schemaPromise.catch(() => { schemaPromise = null; });
  }
  return schemaPromise;
}

/** A short message for a view whose field the server lacks. */
export function missingField(where, what) {
  return `This server's GraphQL API has no ${where} field yet, so ${what} cannot be shown. ` +
    "It comes with a newer CBSI Graph server; everything else here works without it.";
}

// The graph ids' prefixes (graph_seed/vocabulary.py ID_PREFIXES), to find an entity's type from its id.
export const PREFIX_TYPES = {
  gov: "Government",
  agency: "Agency",
  igo: "IntergovernmentalOrganization",
  cso: "CivilSocietyOrganization",
  org: "PrivateSectorActor",
  program: "Program",
  funding: "Funding",
  objective: "Objective",
  focus: "FocusArea",
  mechanism: "Mechanism",
  meeting: "Meeting",
  law: "Legislation",
  action: "BillAction",
  person: "Person",
  src: "Source",
};

export function typeOfId(graphId) {
  return PREFIX_TYPES[String(graphId).split(":", 1)[0]] || null;
}

export const SOURCE_FIELDS = "graphId name title url publisher date";
const FUNDING_FIELDS = ["amount", "currency", "amountUsd", "amountQualifier", "flowType", "fiscalYear",
  "fiscalYearStart", "fiscalYearEnd", "cumulative", "asOf", "account", "date"];

/** `... on Funding { ... }` with the funding fields this server has (for charts). */
export function fundingFragment(s) {
  const fields = s.pick("Funding", FUNDING_FIELDS);
  return fields.length ? `... on Funding { ${fields.join(" ")} }` : "";
}

/** Selection of an entity's relationships, or null when the server has no `Entity.relationships`. */
export function relationshipsSelection(s, { first = 100, types = null } = {}) {
  if (!s.has("Entity", "relationships")) return null;
  const args = [`first: ${first}`];
  if (types && types.length) args.push(`types: ${JSON.stringify(types)}`);
  return `relationships(${args.join(", ")}) { type direction properties sources { ${SOURCE_FIELDS} }
    other { __typename id graphId name ${fundingFragment(s)} } }`;
}

/** One entity by graph id, with all its scalar fields, sources and (if the server has them) relationships. */
export async function fetchEntity(graphId, { relationships = true, first = 100 } = {}) {
  const s = await schema();
  const type = typeOfId(graphId);
  const root = type && s.lookupField(type);
  if (!root) throw new Error(`no lookup for ${graphId}: its prefix names no type this server can look up`);
  const scalars = s.scalarFields(type).filter((f) => f !== "id");
  const rel = relationships ? relationshipsSelection(s, { first }) : null;
  const query = `query Entity($id: ID!) { entity: ${root}(id: $id) { __typename id ${scalars.join(" ")}
    sources { ${SOURCE_FIELDS} } ${rel || ""} } }`;
  const data = await gql(query, { id: graphId });
  return { entity: data.entity, scalars, hasRelationships: rel !== null };
}
