package org.cbsigraph;

import java.util.Map;
import java.util.stream.Stream;

import org.neo4j.graphdb.Transaction;
import org.neo4j.procedure.Context;
import org.neo4j.procedure.Description;
import org.neo4j.procedure.Mode;
import org.neo4j.procedure.Name;
import org.neo4j.procedure.Procedure;

/**
 * {@code cbsi.importBatch(source, batch)}: one committed batch of a CBSI Graph import, written through the
 * Core API inside the caller's transaction.
 *
 * <p>Why a procedure: an import is bound by the single Neo4j thread that writes its batches. The same batch as
 * {@code UNWIND ... MERGE} Cypher (graph_seed/importers/batch_write.py) spends that thread on Cypher's per-row
 * interpretation as well as on the commit; through the Core API the 100k-row benchmark file imported 1.4x faster
 * (bench/results/import.md). This does exactly what that Cypher does, with the same rules, so the Python side
 * can use either (the Cypher stays for servers without this procedure, and a test checks both write the same
 * graph):
 * <ul>
 *   <li>a node is looked up by {@code (:Entity {id})}; if absent it is created with its labels, the allow-listed
 *       properties present in the row, {@code sources = [source]}, {@code aliases}, {@code aliasText} and
 *       {@code createdBy = source}; if present only {@code source} is appended to its {@code sources};</li>
 *   <li>a relationship is looked up between its two nodes by type (and {@code role} for the types that merge on
 *       it); the same create-or-append rule applies; rows whose endpoints do not exist are skipped;</li>
 *   <li>extra sector codes are added only to programs this source created.</li>
 * </ul>
 * Labels, relationship types and property names arrive from the Python allow-lists and are checked again here
 * against a strict pattern; every value is a parameter, never query text.
 */
public final class ImportBatchProcedure {
    @Context
    public Transaction tx;

    /** What one call changed; the Python side adds these to the import summary. */
    public static final class Counts {
        public long nodesCreated;
        public long relationshipsCreated;
    }

    @Procedure(name = "cbsi.importBatch", mode = Mode.WRITE)
    @Description("Write one CBSI Graph import batch (nodes, touches, Funding with FUNDS, relationships, sector codes).")
    public Stream<Counts> writeBatch(@Name("source") String source, @Name("batch") Map<String, Object> batch) {
        if (source == null || source.isBlank()) {
            throw new IllegalArgumentException("cbsi.importBatch: source is empty");
        }
        return Stream.of(new ImportBatch(tx).write(source, batch));
    }
}
