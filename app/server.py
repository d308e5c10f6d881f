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
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from strawberry.asgi import GraphQL

from app.cached_graphql import CachedGraphQL, handed_over
from app.explorer import install as install_explorer
from app.neo4j_connection import Neo4jTarget, async_driver
from app.response_bytes import ResponseBytes
from app.settings import Settings
from resolvers.cypher import CypherRunner
from resolvers.graph_version import GraphVersion
from resolvers.network import NetworkCache
from schema import QueryLimits, build_schema
from schema.context import GraphQLContext

logger = logging.getLogger("cbsi_graph.server")
READY_TIMEOUT = 3.0


class CbsiGraphQL(GraphQL):
    """Strawberry's ASGI app with a fresh context (runner, loaders) for every request."""

    def __init__(self, settings: Settings, **kwargs: Any) -> None:
        limits = QueryLimits(
            settings.max_query_depth, settings.max_aliases, settings.max_tokens,
            max_cost=settings.max_query_cost, max_page_size=settings.max_page_size,
        )
        super().__init__(build_schema(limits), **kwargs)
        self.settings = settings
        self.driver: AsyncDriver | None = None
        # the app's one graph version: read by the HTTP response cache and the network cache, shared reads
        self.versions = GraphVersion()
        # network measures, cached until the graph version changes; a request waits for them as long as for a query
        self.network = NetworkCache(wait_seconds=settings.query_timeout, projection_timeout=settings.network_timeout,
                                    versions=self.versions)
        self.responses = ResponseBytes() if settings.response_cache else None  # served by `CachedGraphQL`

    # ignore: Strawberry's base declares its own context type; ours is the richer GraphQLContext
    async def get_context(self, request: Any, response: Any) -> GraphQLContext:  # type: ignore[override]
        if self.driver is None:
            raise RuntimeError("the application has not started")
        context = GraphQLContext.create(
            self.driver, self.target_database, self.settings.query_timeout, self.settings.max_page_size,
            self.network,
        )
        context.request, context.response = request, response
        context.graph_version = handed_over(request.scope)  # read by `CachedGraphQL` for this request
        return context

    target_database: str | None = None


def create_app(settings: Settings, target: Neo4jTarget) -> Starlette:
    """The application for one Neo4j target; the driver opens at start-up and reconnects by itself."""
    graphql = CbsiGraphQL(settings, graphql_ide="graphiql")
    graphql.target_database = target.database

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        driver = async_driver(target)
        app.state.driver = graphql.driver = driver
        graphql.versions.connect(CypherRunner(driver, target.database, settings.query_timeout))
        logger.info("CBSI Graph serving from %s", target.describe())
        try:
            yield
        finally:
            await driver.close()

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def ready(request: Request) -> Response:
        driver: AsyncDriver = request.app.state.driver
        try:
            await asyncio.wait_for(driver.verify_connectivity(), timeout=READY_TIMEOUT)
        except (ServiceUnavailable, SessionExpired, OSError, TimeoutError) as exc:
            reason = f"Neo4j at {target.uri} does not answer ({type(exc).__name__})"
            return JSONResponse({"status": "unavailable", "reason": reason}, status_code=503)
        except AuthError:
            reason = f"Neo4j at {target.uri} refused the configured credentials"
            return JSONResponse({"status": "unavailable", "reason": reason}, status_code=503)
        except Neo4jError as exc:
            reason = f"Neo4j at {target.uri} answered with an error ({exc.code})"
            return JSONResponse({"status": "unavailable", "reason": reason}, status_code=503)
        return JSONResponse({"status": "ready", "neo4j": target.uri, "database": target.database})

    async def home(request: Request) -> Response:
        return RedirectResponse("/graphql")

    middleware: list[Middleware] = []
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
