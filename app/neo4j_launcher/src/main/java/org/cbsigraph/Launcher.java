package org.cbsigraph;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;

/**
 * Starts Neo4j Community (embedded DBMS) with the Bolt connector on 127.0.0.1 for CBSI Graph.
 *
 * <p>Why a launcher of our own: no Docker and no Neo4j distribution are available on the target
 * machines, only Maven Central. The Python side drives this process and talks to it over Bolt,
 * exactly as it would to a remote server.
 *
 * <p>Usage: {@code Launcher --home DIR --port N --password-file FILE [--pagecache SIZE]}.
 * The password is read from a file (never from the command line, which other users can see) and
 * set on the {@code system} database while Bolt is still closed, so nobody can walk in with the
 * default credentials. SIGTERM shuts the DBMS down cleanly through a shutdown hook.
 */
public final class Launcher {
    /** Line printed on stdout once Bolt accepts connections; the Python side waits for Bolt itself too. */
    static final String READY = "CBSI-NEO4J READY";

    private Launcher() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = parseArgs(args);
        Path home = Path.of(require(opts, "home")).toAbsolutePath();
        int port = Integer.parseInt(require(opts, "port"));
        Path passwordFile = Path.of(require(opts, "password-file"));
        String pagecache = opts.getOrDefault("pagecache", "512m");
        String password = Files.readString(passwordFile, StandardCharsets.UTF_8).strip();
        if (password.length() < 8) {
            throw new IllegalArgumentException("password file " + passwordFile + " holds fewer than 8 characters");
        }

        Files.createDirectories(home);
        ensurePassword(home, port, pagecache, password);

        DatabaseManagementService dbms = build(home, port, pagecache, true);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("CBSI-NEO4J stopping");
            dbms.shutdown();
            stopped.countDown();
        }, "cbsi-neo4j-shutdown"));
        System.out.println(READY + " bolt://127.0.0.1:" + port);
        System.out.flush();
        stopped.await();
    }

    /** Sets the neo4j user's password with Bolt closed, once per password (a digest marks it done). */
    private static void ensurePassword(Path home, int port, String pagecache, String password) throws Exception {
        Path marker = home.resolve("cbsi-password.sha256");
        String digest = HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(password.getBytes(StandardCharsets.UTF_8)));
        if (Files.exists(marker) && Files.readString(marker).strip().equals(digest)) {
            return;
        }
        DatabaseManagementService setup = build(home, port, pagecache, false);
        try {
            setup.database("system").executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED", Map.of("password", password));
        } finally {
            setup.shutdown();
        }
        Files.writeString(marker, digest + "\n");
    }

    /** Builds the DBMS from a neo4j.conf written into the home folder, so the settings in force are on disk to read. */
    private static DatabaseManagementService build(Path home, int port, String pagecache, boolean bolt)
            throws java.io.IOException {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("server.bolt.enabled", Boolean.toString(bolt));
        config.put("server.bolt.listen_address", "127.0.0.1:" + port);
        config.put("server.bolt.advertised_address", "127.0.0.1:" + port);
        // No `connection.recv_timeout_seconds` hint: with it the Python driver wraps every socket read in a timer
        // (about 15% of the server's CPU per cheap request). NOOPs still keep a long result stream alive.
        config.put("server.bolt.connection_keep_alive_for_requests", "STREAMING");
        config.put("dbms.security.auth_enabled", "true");
        config.put("server.memory.pagecache.size", pagecache);
        config.put("db.tx_log.preallocate", "false");
        config.put("db.tx_log.rotation.retention_policy", "100M size");
        config.put("server.directories.logs", home.resolve("logs").toString());
        StringBuilder conf = new StringBuilder("# Written by the CBSI Graph launcher on every start.\n");
        config.forEach((key, value) -> conf.append(key).append('=').append(value).append('\n'));
        Path confFile = home.resolve("conf").resolve("neo4j.conf");
        Files.createDirectories(confFile.getParent());
        Files.writeString(confFile, conf.toString(), StandardCharsets.UTF_8);
        return new DatabaseManagementServiceBuilder(home).loadPropertiesFromFile(confFile).build();
    }

    private static Map<String, String> parseArgs(String[] args) {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got: " + String.join(" ", args));
            }
            opts.put(args[i].substring(2), args[++i]);
        }
        return opts;
    }

    private static String require(Map<String, String> opts, String name) {
        String value = opts.get(name);
        if (value == null) {
            throw new IllegalArgumentException("missing --" + name);
        }
        return value;
    }
}
