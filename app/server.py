"""The Starlette application: `/graphql` (API and GraphiQL), `/health` (process alive), `/ready` (Neo4j answers).

Whole responses are cached in front of Strawberry (`app/cached_graphql.py`) unless CBSI_RESPONSE_CACHE=false.
The app owns one `GraphVersion` and hands it to that cache and to the network cache; the version read for a
request reaches its context, so a miss costs one graph-version read, not two.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from neo4j import AsyncDriver
from neo4j.exceptions import AuthError, Neo4jError, ServiceUnavailable, SessionExpired
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from strawberry.asgi import GraphQL

from app.access import AccessControl
from app.cached_graphql import CachedGraphQL, handed_over
from app.explorer import cookbook
from app.explorer import install as install_explorer
from app.guard import EnvelopeLimits, RequestGuard
from app.memory_trace import trace_forever
from app.neo4j_connection import Neo4jTarget, async_driver
from app.response_bytes import ResponseBytes
from app.response_json import encode_response
from app.settings import Settings
from app.tokens import TokenStore
from app.warm_up import WarmUp, WarmUpNetwork, warm_up
from resolvers.cypher import CypherRunner
from resolvers.graph_version import GraphVersion
from resolvers.neo4j_health import Neo4jHealth
from resolvers.network import NetworkCache
from resolvers.release_memory import release_forever
from schema import CbsiSchema, QueryLimits, build_schema
from schema.context import GraphQLContext

logger = logging.getLogger("cbsi_graph.server")
READY_TIMEOUT = 3.0


class CbsiGraphQL(GraphQL):
    """Strawberry's ASGI app with a fresh context (runner, loaders) for every request."""

    def __init__(self, settings: Settings, **kwargs: Any) -> None:
        limits = QueryLimits(
            settings.max_query_depth, settings.max_aliases, settings.max_tokens,
            max_cost=settings.max_query_cost, max_page_size=settings.max_page_size,
            max_query_length=settings.max_query_length, max_selections=settings.max_selections,
            validation_budget=settings.validation_budget,
        )
        super().__init__(build_schema(limits, compiled=settings.compiled_queries), **kwargs)
        self.settings = settings
        self.driver: AsyncDriver | None = None
        # the app's one graph version: read by the HTTP response cache and the network cache, shared reads
        self.versions = GraphVersion()
        # network measures, cached until the graph version changes; a request waits for them as long as for a query
        self.network = NetworkCache(wait_seconds=settings.query_timeout, projection_timeout=settings.network_timeout,
                                    versions=self.versions, settle=settings.network_settle)
        self.responses = ResponseBytes() if settings.response_cache else None  # served by `CachedGraphQL`
        self.health = Neo4jHealth()  # hardening: fail at once while Neo4j is known to be down
        self.warm = WarmUp(done=not settings.warm_up)  # `/ready` says "warming up" until the cookbook is planned

    # ignore: Strawberry's base declares its own context type; ours is the richer GraphQLContext
    async def get_context(self, request: Any, response: Any) -> GraphQLContext:  # type: ignore[override]
        if self.driver is None:
            raise RuntimeError("the application has not started")
        context = GraphQLContext.create(
            self.driver, self.target_database, self.settings.query_timeout, self.settings.max_page_size,
            self.network,
        )
        context.request, context.response = request, response
        context.runner.health = self.health
        context.graph_version = handed_over(request.scope)  # read by `CachedGraphQL` for this request
        return context

    target_database: str | None = None

    def encode_json(self, data: object) -> bytes:
        return encode_response(data)  # orjson (`app/response_json.py`)

    def warm_context(self) -> GraphQLContext:
        """A request's context without a request, for the warm-up (`app/warm_up.py`): its network cache never
        reads the projection, so the app's own cache starts as it did before (read when first asked)."""
        if self.driver is None:
            raise RuntimeError("the application has not started")
        context = GraphQLContext.create(self.driver, self.target_database, self.settings.query_timeout,
                                        self.settings.max_page_size, WarmUpNetwork(versions=self.versions))
        context.runner.health = self.health
        return context

    def describe_caches(self) -> dict[str, object]:
        """How much every cache holds now (for `app/memory_trace.py`)."""
        schema = self.schema
        sizes: dict[str, object] = {}
        if isinstance(schema, CbsiSchema):
            sizes.update(parsed=len(schema.parsed.entries), parsed_chars=schema.parsed.chars,
                         validated=len(schema.validated.entries), validated_chars=schema.validated.chars,
                         templates=len(schema.templates.entries), template_chars=schema.templates.chars)
        if self.responses is not None:
            sizes.update(responses=len(self.responses), response_bytes=self.responses.total_bytes)
        sizes.update(self.network.describe())
        return sizes


def create_app(settings: Settings, target: Neo4jTarget) -> Starlette:
    """The application for one Neo4j target; the driver opens at start-up and reconnects by itself."""
    graphql = CbsiGraphQL(settings, graphql_ide="graphiql")
    graphql.target_database = target.database

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        driver = async_driver(target)
        app.state.driver = graphql.driver = driver
        graphql.versions.connect(CypherRunner(driver, target.database, settings.query_timeout, graphql.health))
        logger.info("CBSI Graph serving from %s", target.describe())
        warming = None
        if not graphql.warm.done:  # plan the cookbook's statements before `/ready` says ready
            queries = [entry.query for entry in cookbook()]
            warming = asyncio.create_task(warm_up(graphql.schema, graphql.warm_context, queries, graphql.warm,
                                                  neo4j_seconds=settings.warm_up_neo4j_seconds))
        tracer = None
        if settings.memory_trace is not None:  # diagnostics (`app/memory_trace.py`), off by default
            tracer = asyncio.create_task(trace_forever(settings.memory_trace, graphql.describe_caches))
        releaser = asyncio.create_task(release_forever()) if settings.release_memory else None
        try:
            yield
        finally:
            for task in (tracer, warming, releaser):
                if task is not None:
                    task.cancel()
            await driver.close()

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def ready(request: Request) -> Response:
        driver: AsyncDriver = request.app.state.driver
        health = graphql.health
        if health.down:  # known from a failed query or probe: answer at once, with why and since when
            reason = f"Neo4j at {target.uri} does not answer ({health.reason}) since {health.describe_since()}"
            return JSONResponse({"status": "unavailable", "reason": reason}, status_code=503)
        try:
            await asyncio.wait_for(driver.verify_connectivity(), timeout=READY_TIMEOUT)
        except (ServiceUnavailable, SessionExpired, OSError, TimeoutError) as exc:
            health.report_failure(exc, driver)
            reason = f"Neo4j at {target.uri} does not answer ({type(exc).__name__})"
            return JSONResponse({"status": "unavailable", "reason": reason}, status_code=503)
        except AuthError:
            reason = f"Neo4j at {target.uri} refused the configured credentials"
            return JSONResponse({"status": "unavailable", "reason": reason}, status_code=503)
        except Neo4jError as exc:
            reason = f"Neo4j at {target.uri} answered with an error ({exc.code})"
            return JSONResponse({"status": "unavailable", "reason": reason}, status_code=503)
        # Neo4j answers; checked after it, so a Neo4j that is down is named as the reason even while warming up
        if not graphql.warm.done:  # Neo4j is planning the cookbook's statements (`app/warm_up.py`)
            reason = f"warming up: planning the cookbook's statements ({graphql.warm.asked} asked so far)"
            return JSONResponse({"status": "warming up", "reason": reason, "warm_up": graphql.warm.describe()},
                                status_code=503)
        return JSONResponse({"status": "ready", "neo4j": target.uri, "database": target.database,
                             "warm_up": graphql.warm.describe()})

    async def home(request: Request) -> Response:
        return RedirectResponse("/graphql")

    middleware: list[Middleware] = []
    # --- hardening (docs/security.md): Host allow-list, CORS (off unless configured), bearer tokens and rate
    # limits (`app/access.py`), then the request envelope (`app/guard.py`), all before the response cache ---
    hosts = [host.strip() for host in settings.allowed_hosts.split(",") if host.strip()]
    middleware.append(Middleware(TrustedHostMiddleware, allowed_hosts=hosts or ["*"]))
    origins = [origin.strip() for origin in (settings.cors_origins or "").split(",") if origin.strip()]
    if origins:
        middleware.append(Middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST"],
                                     allow_headers=["authorization", "content-type"]))
    middleware.append(Middleware(AccessControl, store=TokenStore(settings.tokens_path),
                                 default_rate=settings.rate_limit))
    middleware.append(Middleware(RequestGuard, limits=EnvelopeLimits(
        settings.max_body_bytes, settings.max_json_depth, settings.max_query_length)))
    # --- end hardening ---
    if graphql.responses is not None:
        middleware.append(Middleware(CachedGraphQL, responses=graphql.responses, version=graphql.versions.read))

    app = Starlette(
        routes=[
            Route("/", home),
            Route("/health", health),
            Route("/ready", ready),
            Route("/graphql", graphql),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )
    app.state.graphql = graphql  # the view and its caches, for diagnostics and tests

    # The browser side (app/explorer.py): GraphiQL from vendored files at /graphql, the explorer at /explore.
    install_explorer(app, graphql)
    return app
