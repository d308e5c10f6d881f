"""`cbsi-graph`: one entry point for serving, the local Neo4j, seeding, importing, analysis and the schema.

Every failure prints what went wrong and where (file, line, field) on stderr and exits non-zero; no stack
trace reaches the user unless `--debug` is given.
"""

from __future__ import annotations

import argparse
import logging
import socket
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from app.settings import Settings, get_settings

if TYPE_CHECKING:
    from app.neo4j_connection import Neo4jTarget

Handler = Callable[[argparse.Namespace, Settings], int]


class CliError(Exception):
    """A failure to report on one line (plus detail) with exit code 1."""


def _listen(host: str, port: int) -> socket.socket:
    """The HTTP socket `serve` will answer on, bound before anything else happens, so a busy port is the first
    thing reported (not after Neo4j started and a "serving" line was printed)."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: no wait after a restart
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise CliError(f"cannot listen on http://{host}:{port} ({exc.strerror}): another program (another "
                       "`cbsi-graph serve`?) uses that port; use `cbsi-graph serve --port N` (or set CBSI_PORT) "
                       "for another one") from exc
    return sock


def _seed_if_empty(target: Neo4jTarget) -> None:
    """Create the schema and seed an empty graph. A Neo4j of NEO4J_URI that does not answer yet is no reason not
    to serve: the server starts, `/ready` answers 503 until Neo4j does (seed then with `cbsi-graph seed`)."""
    from neo4j.exceptions import ServiceUnavailable, SessionExpired

    from app.neo4j_connection import sync_driver
    from graph_seed.neo4j_writer import ensure_schema
    from graph_seed.seed import graph_is_empty, seed

    try:
        with sync_driver(target) as driver:
            with driver.session(database=target.database) as session:
                ensure_schema(session)
            if graph_is_empty(driver, target.database):
                print("The graph is empty: seeding the curated CBSI dataset...", flush=True)
                seed(driver, target.database)
    except (ServiceUnavailable, SessionExpired) as exc:
        if target.managed:
            raise
        print(f"warning: Neo4j at {target.uri} does not answer ({_first_line(exc)}); serving anyway: /ready "
              "answers 503 until it does; then run `cbsi-graph seed` (it creates the schema and indexes, brings a "
              "graph written by an older version up to date, and seeds an empty one)", flush=True)


def _cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from app.access import bind_refusal
    from app.coalesced_writes import OneSendHttpProtocol
    from app.interpreter import settle_before_serving
    from app.neo4j_connection import local_neo4j, resolve_target
    from app.server import create_app
    from app.tokens import TokenStore

    refusal = bind_refusal(settings.host, TokenStore(settings.tokens_path).configured(), args.insecure)
    if refusal:
        raise CliError(refusal)
    port = args.port if args.port is not None else settings.port
    sock = _listen(settings.host, port)
    local = local_neo4j(settings) if settings.uses_local_neo4j else None
    started_here = local is not None and local.running_pid() is None
    try:
        target = resolve_target(settings)
        if settings.auto_seed:
            _seed_if_empty(target)
        app = create_app(settings, target)
        print(f"CBSI Graph on http://{settings.host}:{port}/graphql (GraphiQL in a browser)", flush=True)
        # Everything built so far (modules, the schema, ~150k objects) lives until exit: frozen, full garbage
        # collections do not walk it; the youngest generation is collected less often and threads switch every
        # millisecond (`app/interpreter.py`).
        settle_before_serving()
        # a response's head and body leave in one `send` (`app/coalesced_writes.py`)
        config = uvicorn.Config(app, log_level=settings.log_level, http=OneSendHttpProtocol)
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
        if local is not None and started_here and not args.keep_neo4j:
            local.stop()
    return 0


def _cmd_neo4j(args: argparse.Namespace, settings: Settings) -> int:
    from app.neo4j_connection import local_neo4j

    if not settings.uses_local_neo4j:
        raise CliError(f"NEO4J_URI is set ({settings.neo4j_uri}): the project does not manage that Neo4j")
    local = local_neo4j(settings)
    if args.action == "build":
        local.ensure_built()
        print(f"Neo4j jars and launcher ready: {local.classpath()}")
    elif args.action == "start":
        print(local.start().describe())
    elif args.action == "stop":
        print("stopped" if local.stop() else "local Neo4j was not running")
    else:
        status = local.status()
        print(status.describe())
        return 0 if status.running else 3
    return 0


def _cmd_seed(args: argparse.Namespace, settings: Settings) -> int:
    from app.neo4j_connection import resolve_target, sync_driver
    from graph_seed.records import load_dataset
    from graph_seed.seed import seed

    dataset = load_dataset(args.files or None)  # validate before touching (or starting) the database
    target = resolve_target(settings)
    with sync_driver(target) as driver:
        report = seed(driver, target.database, reset=args.reset, dataset=dataset)
    for label, count in sorted(report.summary.nodes_by_label.items()):
        print(f"  {label:32} {count:6}")
    for rel_type, count in sorted(report.summary.relationships_by_type.items()):
        print(f"  {rel_type:32} {count:6}")
    print(f"Seed finished in {report.seconds:.2f}s.")
    return 0


def _cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from app.neo4j_connection import resolve_target, sync_driver
    from app.progress import Progress
    from graph_seed.importers import import_files

    progress = Progress(f"Reading {args.kind} rows")
    if args.dry_run:
        summary = import_files(None, args.kind, args.files, dry_run=True, strict=args.strict,
                               allow_empty=args.allow_empty, progress=progress)
    else:
        target = resolve_target(settings)
        with sync_driver(target) as driver:
            summary = import_files(driver, args.kind, args.files, database=target.database,
                                   strict=args.strict, allow_empty=args.allow_empty,
                                   take_over=args.take_over, progress=progress)
    progress.done()
    print(summary.describe())
    return 0


def _cmd_schema(args: argparse.Namespace, settings: Settings) -> int:
    from schema import build_schema

    sdl = build_schema().as_str() + "\n"
    if args.output:
        Path(args.output).write_text(sdl, encoding="utf-8")
        print(f"wrote {args.output}")
    else:
        sys.stdout.write(sdl)
    return 0


def _refused(settings: Settings) -> str:
    """What to say when Neo4j refuses the credentials: which server, and where the password comes from."""
    if settings.neo4j_uri:
        return (f"Neo4j at {settings.neo4j_uri} refused user {settings.neo4j_user!r} with the password configured "
                "(check NEO4J_USER / NEO4J_PASSWORD)")
    password_file = settings.neo4j_home / "password"
    return (f"the local Neo4j at bolt://127.0.0.1:{settings.neo4j_port} refused the password in {password_file} "
            "(if another Neo4j owns that port, set CBSI_NEO4J_PORT; if the file was replaced, restart it with "
            "`cbsi-graph neo4j stop` and `cbsi-graph neo4j start`)")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[-1].strip() if text else type(exc).__name__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cbsi-graph", description=__doc__.splitlines()[0])
    parser.add_argument("--debug", action="store_true", help="show full tracebacks")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the GraphQL API (starts and seeds the local Neo4j if needed)")
    serve.add_argument("--port", type=int, default=None, help="HTTP port (default CBSI_PORT, 8000)")
    serve.add_argument("--keep-neo4j", action="store_true", help="leave the local Neo4j running on exit")
    serve.add_argument("--insecure", action="store_true",
                       help="allow a non-loopback CBSI_HOST without bearer tokens (docs/security.md)")
    serve.set_defaults(handler=_cmd_serve)

    neo4j = commands.add_parser("neo4j", help="start, stop or inspect the managed local Neo4j")
    neo4j.add_argument("action", choices=["build", "start", "stop", "status"])
    neo4j.set_defaults(handler=_cmd_neo4j)

    seed = commands.add_parser("seed", help="validate and load the curated CBSI dataset (idempotent)")
    seed.add_argument("--reset", action="store_true", help="delete the whole graph first")
    seed.add_argument("files", nargs="*", type=Path, help="data files (default: graph_seed/data/*.yaml)")
    seed.set_defaults(handler=_cmd_seed)

    imports = commands.add_parser("import", help="import IATI activity XML or ForeignAssistance.gov CSV files")
    imports.add_argument("kind", choices=["iati", "fa-csv"], help="the files' format")
    imports.add_argument("files", nargs="+", type=Path, help="files to import (read streaming)")
    imports.add_argument("--dry-run", action="store_true", help="validate and report; write nothing")
    imports.add_argument("--strict", action="store_true", help="abort before writing if any row is bad")
    imports.add_argument("--allow-empty", action="store_true",
                         help="accept a file whose records were all skipped (exit 0; it is still not recorded "
                              "as imported, so a later run reads it again)")
    imports.add_argument("--take-over", action="store_true",
                         help="take over an unfinished import of these files even if it made progress recently "
                              "(its partial writes are removed first; if it still runs, it stops at its next batch)")
    imports.set_defaults(handler=_cmd_import)

    from app import cli_analysis, cli_coverage, cli_token

    cli_analysis.add_parsers(commands)
    cli_coverage.add_parser(commands)
    cli_token.add_parser(commands)

    schema = commands.add_parser("schema", help="print the GraphQL SDL")
    schema.add_argument("--output", "-o", help="write to this file instead of stdout")
    schema.set_defaults(handler=_cmd_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not args.debug:  # the driver's retry chatter; failures still end in one clear line below
        logging.getLogger("neo4j").setLevel(logging.ERROR)
    from neo4j.exceptions import AuthError, ServiceUnavailable, SessionExpired

    from app.local_neo4j import LocalNeo4jError
    from graph_seed.importers import ImportError_
    from graph_seed.records import DataValidationError

    try:
        settings = get_settings()
        return int(args.handler(args, settings))
    except KeyboardInterrupt:
        return 130
    except (ServiceUnavailable, SessionExpired) as exc:
        if args.debug:
            raise
        settings = get_settings()
        where = settings.neo4j_uri or f"the local Neo4j on port {settings.neo4j_port}"
        print(f"cbsi-graph {args.command}: error: cannot reach Neo4j at {where} ({_first_line(exc)}); "
              "is it running? (`cbsi-graph neo4j start`, or check NEO4J_URI)", file=sys.stderr)
        return 1
    except AuthError:
        print(f"cbsi-graph {args.command}: error: {_refused(get_settings())}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `cbsi-graph analyze ... | head`: the reader has all it wanted
        sys.stderr.close()
        return 0
    except (CliError, LocalNeo4jError, DataValidationError, ImportError_, OSError, ValueError) as exc:
        if args.debug:
            raise
        print(f"cbsi-graph {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # the last line of defence: one clear line, no traceback
        if args.debug:
            raise
        message = f"unexpected {type(exc).__name__}: {exc} (rerun with --debug)"
        print(f"cbsi-graph {args.command}: {message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
