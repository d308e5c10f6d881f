package org.cbsigraph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.neo4j.graphdb.Direction;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Relationship;
import org.neo4j.graphdb.RelationshipType;
import org.neo4j.graphdb.Transaction;

/**
 * The work of one {@code cbsi.importBatch} call: the create-or-append rules of
 * {@link ImportBatchProcedure}, applied row by row through the Core API in the caller's transaction.
 */
final class ImportBatch {
    private static final Label ENTITY = Label.label("Entity");
    private static final Label PROGRAM = Label.label("Program");
    private static final RelationshipType FUNDS = RelationshipType.withName("FUNDS");
    private static final Pattern LABEL = Pattern.compile("[A-Z][A-Za-z]{0,63}");
    private static final Pattern TYPE = Pattern.compile("[A-Z][A-Z_]{0,63}");
    private static final Pattern PROPERTY = Pattern.compile("[a-z][A-Za-z0-9]{0,63}");
    private static final String[] NO_STRINGS = new String[0];

    private final Transaction tx;
    /** Nodes this call has already looked up: actors and programs recur on many rows of a batch. */
    private final Map<String, Node> nodes = new HashMap<>();

    ImportBatch(Transaction tx) {
        this.tx = tx;
    }

    ImportBatchProcedure.Counts write(String source, Map<String, Object> batch) {
        ImportBatchProcedure.Counts counts = new ImportBatchProcedure.Counts();
        for (Map<String, Object> group : maps(batch.get("nodes"), "nodes")) {
            Label[] labels = labels(group.get("labels"));
            List<String> names = names(group.get("properties"));
            for (Map<String, Object> row : maps(group.get("rows"), "nodes.rows")) {
                mergeNode(row, labels, names, source, counts);
            }
        }
        for (Object id : list(batch.get("touch"), "touch")) {
            Node node = find((String) id);
            if (node != null) {
                addSource(node, source);
            }
        }
        Map<String, Object> funding = map(batch.get("funding"), "funding");
        if (funding != null) {
            Label[] labels = labels(funding.get("labels"));
            List<String> names = names(funding.get("properties"));
            for (Map<String, Object> row : maps(funding.get("rows"), "funding.rows")) {
                Node flow = mergeNode(row, labels, names, source, counts);
                Node program = find((String) row.get("program"));
                if (program != null) {
                    mergeRelationship(flow, program, FUNDS, null, Map.of(), List.of(), source, counts);
                }
            }
        }
        for (Map<String, Object> group : maps(batch.get("edges"), "edges")) {
            String typeName = (String) group.get("type");
            if (typeName == null || !TYPE.matcher(typeName).matches()) {
                throw new IllegalArgumentException("cbsi.importBatch: not a relationship type: " + typeName);
            }
            RelationshipType type = RelationshipType.withName(typeName);
            String mergeOn = (String) group.get("mergeOn");
            if (mergeOn != null && !PROPERTY.matcher(mergeOn).matches()) {
                throw new IllegalArgumentException("cbsi.importBatch: not a property name: " + mergeOn);
            }
            List<String> names = names(group.get("properties"));
            for (Map<String, Object> row : maps(group.get("rows"), "edges.rows")) {
                Node start = find((String) row.get("start"));
                Node end = find((String) row.get("end"));
                if (start != null && end != null) {
                    Map<String, Object> props = map(row.get("props"), "edges.rows.props");
                    mergeRelationship(start, end, type, mergeOn, props == null ? Map.of() : props, names, source,
                            counts);
                }
            }
        }
        for (Map<String, Object> row : maps(batch.get("sectorCodes"), "sectorCodes")) {
            Node program = tx.findNode(PROGRAM, "id", row.get("id"));
            if (program != null && source.equals(program.getProperty("createdBy", null))) {
                addSectorCodes(program, list(row.get("codes"), "sectorCodes.codes"));
            }
        }
        return counts;
    }

    private Node find(String id) {
        if (id == null) {
            return null;
        }
        Node node = nodes.get(id);
        if (node == null) {
            node = tx.findNode(ENTITY, "id", id);
            if (node != null) {
                nodes.put(id, node);
            }
        }
        return node;
    }

    private Node mergeNode(Map<String, Object> row, Label[] labels, List<String> names, String source,
                           ImportBatchProcedure.Counts counts) {
        String id = (String) row.get("id");
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("cbsi.importBatch: a node row has no id");
        }
        Node node = find(id);
        if (node != null) {
            addSource(node, source);
            return node;
        }
        node = tx.createNode(labels);
        node.setProperty("id", id);
        setAllowed(node::setProperty, map(row.get("props"), "props"), names);
        List<Object> aliases = list(row.get("aliases"), "aliases");
        StringBuilder aliasText = new StringBuilder();
        for (Object alias : aliases) {
            aliasText.append(alias).append(" | ");
        }
        node.setProperty("sources", new String[] {source});
        node.setProperty("aliases", aliases.toArray(NO_STRINGS));
        node.setProperty("aliasText", aliasText.toString());
        node.setProperty("createdBy", source);
        nodes.put(id, node);
        counts.nodesCreated++;
        return node;
    }

    private void mergeRelationship(Node start, Node end, RelationshipType type, String mergeOn,
                                   Map<String, Object> props, List<String> names, String source,
                                   ImportBatchProcedure.Counts counts) {
        Object key = mergeOn == null ? null : props.get(mergeOn);
        if (mergeOn != null && key == null) {
            throw new IllegalArgumentException("cbsi.importBatch: a " + type.name() + " row has no " + mergeOn);
        }
        boolean matched = false;
        // Walk the side with fewer relationships of this type: a new Funding or a program, never the agency.
        boolean fromStart = start.getDegree(type, Direction.OUTGOING) <= end.getDegree(type, Direction.INCOMING);
        Node near = fromStart ? start : end;
        Node far = fromStart ? end : start;
        try (var rels = near.getRelationships(fromStart ? Direction.OUTGOING : Direction.INCOMING, type)) {
            for (Relationship rel : rels) {
                if (rel.getOtherNode(near).equals(far) && (key == null || key.equals(rel.getProperty(mergeOn, null)))) {
                    addSource(rel, source);
                    matched = true;
                }
            }
        }
        if (matched) {
            return;
        }
        Relationship rel = start.createRelationshipTo(end, type);
        if (key != null) {
            rel.setProperty(mergeOn, key);
        }
        setAllowed(rel::setProperty, props, names);
        rel.setProperty("sources", new String[] {source});
        rel.setProperty("createdBy", source);
        counts.relationshipsCreated++;
    }

    /** {@code sources = coalesce(sources, []) + source} unless it is already there (as the Cypher's CASE does). */
    private static void addSource(org.neo4j.graphdb.Entity entity, String source) {
        Object current = entity.getProperty("sources", null);
        String[] sources = current instanceof String[] strings ? strings : NO_STRINGS;
        for (String existing : sources) {
            if (existing.equals(source)) {
                return;
            }
        }
        String[] more = Arrays.copyOf(sources, sources.length + 1);
        more[sources.length] = source;
        entity.setProperty("sources", more);
    }

    private static void addSectorCodes(Node program, List<Object> codes) {
        Object current = program.getProperty("sectorCodes", null);
        String[] existing = current instanceof String[] strings ? strings : NO_STRINGS;
        List<String> known = Arrays.asList(existing);
        List<String> merged = new ArrayList<>(known);
        for (Object code : codes) {
            if (!known.contains((String) code)) {
                merged.add((String) code);
            }
        }
        if (merged.size() != existing.length || current == null) {
            program.setProperty("sectorCodes", merged.toArray(NO_STRINGS));
        }
    }

    private interface Setter {
        void set(String name, Object value);
    }

    /** Sets each allow-listed property that the row has and that is not null (as {@code SET v.p = row.props.p}). */
    private static void setAllowed(Setter setter, Map<String, Object> props, List<String> names) {
        if (props == null) {
            return;
        }
        for (String name : names) {
            Object value = props.get(name);
            if (value != null) {
                setter.set(name, storable(value, name));
            }
        }
    }

    /** Cypher stores a list as an array of one type; the Core API needs that array. */
    private static Object storable(Object value, String name) {
        if (!(value instanceof List<?> list)) {
            return value;
        }
        if (list.isEmpty() || list.get(0) instanceof String) {
            return list.stream().map(item -> (String) item).toArray(String[]::new);
        }
        if (list.get(0) instanceof Long) {
            return list.stream().mapToLong(item -> (Long) item).toArray();
        }
        if (list.get(0) instanceof Double) {
            return list.stream().mapToDouble(item -> ((Number) item).doubleValue()).toArray();
        }
        throw new IllegalArgumentException("cbsi.importBatch: property " + name + " holds an unsupported list");
    }

    private static Label[] labels(Object value) {
        List<Object> names = list(value, "labels");
        if (names.isEmpty()) {
            throw new IllegalArgumentException("cbsi.importBatch: a node group has no labels");
        }
        Label[] labels = new Label[names.size()];
        for (int i = 0; i < labels.length; i++) {
            String name = (String) names.get(i);
            if (name == null || !LABEL.matcher(name).matches()) {
                throw new IllegalArgumentException("cbsi.importBatch: not a label: " + name);
            }
            labels[i] = Label.label(name);
        }
        return labels;
    }

    private static List<String> names(Object value) {
        List<String> names = new ArrayList<>();
        for (Object item : list(value, "properties")) {
            String name = (String) item;
            if (name == null || !PROPERTY.matcher(name).matches() || name.equals("id") || name.equals("sources")
                    || name.equals("createdBy")) {
                throw new IllegalArgumentException("cbsi.importBatch: not a settable property: " + name);
            }
            names.add(name);
        }
        return names;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value, String what) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?>)) {
            throw new IllegalArgumentException("cbsi.importBatch: " + what + " is not a list");
        }
        return (List<Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value, String what) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof Map<?, ?>)) {
            throw new IllegalArgumentException("cbsi.importBatch: " + what + " is not a map");
        }
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> maps(Object value, String what) {
        List<Object> items = list(value, what);
        for (Object item : items) {
            if (!(item instanceof Map<?, ?>)) {
                throw new IllegalArgumentException("cbsi.importBatch: " + what + " holds a non-map");
            }
        }
        return (List<Map<String, Object>>) (List<?>) items;
    }
}
