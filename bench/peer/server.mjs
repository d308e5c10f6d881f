// The peer of bench/bench_peer.py: the Neo4j GraphQL Library behind Apollo Server, over the same Neo4j.
//   PEER_TYPEDEFS=/tmp/peer.graphql NEO4J_URI=bolt://... NEO4J_PASSWORD=... PEER_PORT=4000 node server.mjs
// Type definitions come from bench/peer/typedefs.py (generated from the project's catalog). No cache, no auth:
// every request is translated to Cypher and sent to Neo4j, as CBSI Graph does with CBSI_RESPONSE_CACHE=false.
import { readFileSync } from "node:fs";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { Neo4jGraphQL } from "@neo4j/graphql";
import neo4j from "neo4j-driver";

const typeDefs = readFileSync(process.env.PEER_TYPEDEFS, "utf8");
const driver = neo4j.driver(process.env.NEO4J_URI, neo4j.auth.basic("neo4j", process.env.NEO4J_PASSWORD));
const schema = await new Neo4jGraphQL({ typeDefs, driver }).getSchema();
const server = new ApolloServer({ schema, introspection: true });
const { url } = await startStandaloneServer(server, {
  listen: { host: "127.0.0.1", port: Number(process.env.PEER_PORT) },
});
console.log(`peer ready at ${url}`);
