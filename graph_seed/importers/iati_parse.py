"""Stream IATI activity XML (2.01-2.03, and 1.0x words/letters) into plain dataclasses, safely.

Why defusedxml with everything forbidden: an IATI file is untrusted input. Any DOCTYPE (so no DTD, no
external DTD), any entity declaration (billion laughs) and any external reference (XXE, `file:///etc/passwd`)
raises `UnsafeXMLError` naming the file and line before a single record is built. Parsing is incremental
(expat, fed 64 KB at a time) and each `iati-activity` element is cleared once read, so memory stays flat on files of
hundreds of megabytes. Nothing here knows about the graph; `iati.py` maps these dataclasses to records.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder
from xml.parsers.expat import ExpatError

import defusedxml.ElementTree as DET
from defusedxml import DefusedXmlException

from graph_seed.importers.errors import MalformedFileError, UnsafeXMLError, decoding_error

LINE = "{urn:cbsi-graph}line"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _line(element: Any) -> int | None:
    """The source line `iter_activities` stored on an element (an int under LINE, though attributes are str)."""
    line = element.get(LINE)
    return line if isinstance(line, int) else None


@dataclass(frozen=True)
class IatiOrg:
    ref: str | None
    name: str | None
    type: str | None
    role: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class IatiTransaction:
    line: int | None
    type_code: str | None
    date: str | None
    value: str | None
    currency: str | None
    value_date: str | None
    provider: IatiOrg | None
    receiver: IatiOrg | None
    ref: str | None
    description: str | None


@dataclass
class IatiActivity:
    line: int | None
    identifier: str | None
    default_currency: str | None
    hierarchy: str | None
    reporting_org: IatiOrg | None = None
    title: str | None = None
    description: str | None = None
    status_code: str | None = None
    dates: list[tuple[str, str | None, int | None]] = field(default_factory=list)  # (type, iso-date, line)
    participating: list[IatiOrg] = field(default_factory=list)
    countries: list[tuple[str, str | None, int | None]] = field(default_factory=list)  # (code, %, line)
    sectors: list[tuple[str | None, str, str | None]] = field(default_factory=list)  # (vocabulary, code, %)
    transactions: list[IatiTransaction] = field(default_factory=list)
    budgets: int = 0


@dataclass
class IatiHeader:
    version: str | None = None
    generated: str | None = None


def _text(element: Element | None) -> str | None:
    """The narrative to show: English (or unmarked) first, else the first; 1.0x puts the text inline."""
    if element is None:
        return None
    narratives = element.findall("narrative")
    if not narratives:
        text = (element.text or "").strip()
        return text or None
    for wanted in ("en", None):
        for narrative in narratives:
            text = (narrative.text or "").strip()
            if narrative.get(XML_LANG) == wanted and text:
                return text
    for narrative in narratives:
        text = (narrative.text or "").strip()
        if text:
            return text
    return None


def _org(element: Element | None, ref_attr: str = "ref") -> IatiOrg | None:
    if element is None:
        return None
    ref = (element.get(ref_attr) or "").strip() or None
    name = _text(element)
    if ref is None and name is None:
        return None
    return IatiOrg(ref=ref, name=name, type=(element.get("type") or "").strip() or None,
                   role=(element.get("role") or "").strip() or None, line=_line(element))


def _code(element: Element | None, attr: str = "code") -> str | None:
    if element is None:
        return None
    return (element.get(attr) or "").strip() or None


def _activity(element: Element) -> IatiActivity:
    identifier = (element.findtext("iati-identifier") or "").strip() or None
    activity = IatiActivity(
        line=_line(element),
        identifier=identifier,
        default_currency=(element.get("default-currency") or "").strip() or None,
        hierarchy=element.get("hierarchy"),
        reporting_org=_org(element.find("reporting-org")),
        title=_text(element.find("title")),
        status_code=_code(element.find("activity-status")),
    )
    descriptions = element.findall("description")
    general = [d for d in descriptions if d.get("type") in (None, "1", "general")] or descriptions
    activity.description = _text(general[0]) if general else None
    for date in element.findall("activity-date"):
        activity.dates.append((date.get("type") or "", date.get("iso-date"), _line(date)))
    for org in element.findall("participating-org"):
        parsed = _org(org)
        if parsed is not None:
            activity.participating.append(parsed)
    for country in element.findall("recipient-country"):
        code = (country.get("code") or "").strip()
        activity.countries.append((code, country.get("percentage"), _line(country)))
    for sector in element.findall("sector"):
        code = (sector.get("code") or "").strip()
        if code:
            activity.sectors.append((sector.get("vocabulary"), code, sector.get("percentage")))
    activity.budgets = len(element.findall("budget"))
    for tx in element.findall("transaction"):
        value = tx.find("value")
        tx_date = tx.find("transaction-date")
        type_element = tx.find("transaction-type")
        activity.transactions.append(IatiTransaction(
            line=_line(tx),
            type_code=_code(type_element),
            date=tx_date.get("iso-date") if tx_date is not None else None,
            value=value.text if value is not None else None,
            currency=(value.get("currency") or "").strip() or None if value is not None else None,
            value_date=value.get("value-date") if value is not None else None,
            provider=_org(tx.find("provider-org")),
            receiver=_org(tx.find("receiver-org")),
            ref=tx.get("ref"),
            description=_text(tx.find("description")),
        ))
    return activity


def iter_activities(path: Path, header: IatiHeader | None = None) -> Iterator[IatiActivity]:
    """Yield each `iati-activity` of the file in order; fills `header` from the root element.

    Raises `UnsafeXMLError` for DTDs/entities/external references and `MalformedFileError` (with the line)
    for XML that is not well-formed or a root that is not `iati-activities`.

    Speed: defusedxml's parser (its expat object, with the DTD/entity/external-reference guards and
    ElementTree's entity and text handling) is driven directly, and only the element start/end callbacks are
    our own: they build the same `Element`s (with their start line) through the C `TreeBuilder`, without the
    Python layers of `iterparse` (its event queue and per-event wrappers), which cost half the parse time.
    """
    header = header if header is not None else IatiHeader()
    parser = DET.DefusedXMLParser(target=TreeBuilder(), forbid_dtd=True, forbid_entities=True, forbid_external=True)
    with path.open("rb") as handle:
        yield from _iterate(path, handle, parser, header)


def _iterate(path: Path, handle: IO[bytes], parser: DET.DefusedXMLParser, header: IatiHeader) -> Iterator[IatiActivity]:
    expat = parser.parser
    builder = parser.target
    build_start, build_end = builder.start, builder.end
    names: dict[str, str] = {}
    done: list[Element] = []  # activities completed by the chunk just parsed, in order
    root: Element | None = None
    depth = 0

    def fix(name: str) -> str:
        """ElementTree's spelling of a namespaced name: `uri}local` -> `{uri}local` (memoised)."""
        fixed = names.get(name)
        if fixed is None:
            fixed = names[name] = "{" + name if "}" in name else name
        return fixed

    def start(tag: str, attrib: dict[str, object]) -> None:
        nonlocal depth, root
        depth += 1
        for name in attrib:  # in document order, as ElementTree builds it
            if "}" in name:
                attrib = {fix(key): value for key, value in attrib.items()}
                break
        attrib[LINE] = expat.CurrentLineNumber
        element = build_start(fix(tag) if "}" in tag else tag, attrib)
        if root is None:
            root = element
            if element.tag != "iati-activities":
                raise MalformedFileError(path, f"root element is <{element.tag}>, not <iati-activities>",
                                         line=element.get(LINE))
            header.version = element.get("version")
            header.generated = element.get("generated-datetime")

    def end(tag: str) -> None:
        nonlocal depth
        element = build_end(fix(tag) if "}" in tag else tag)
        depth -= 1
        if depth == 1 and element.tag == "iati-activity":
            done.append(element)

    expat.ordered_attributes = False  # attributes as a dict built by expat (ElementTree asks for a list)
    expat.StartElementHandler = start
    expat.EndElementHandler = end
    failure: ParseError | None = None
    try:
        while failure is None:
            data = handle.read(64 * 1024)
            try:
                expat.Parse(data, not data)
            except ExpatError as exc:  # as ElementTree reports it; activities completed before it come first
                failure = ParseError(exc)
                failure.position = (exc.lineno, exc.offset)
            for element in done:
                yield _activity(element)
                element.clear()
                # ignore: `root` is typed optional; it is set by the first start tag, before any activity ends
                root.remove(element)  # type: ignore[union-attr]
            done.clear()
            if not data:
                break
    except DefusedXmlException as exc:
        line = expat.CurrentLineNumber
        raise UnsafeXMLError(path, f"refused unsafe XML ({type(exc).__name__}: {exc}); DTDs, entities and "
                                   "external references are not allowed", line=line) from None
    except UnicodeDecodeError as exc:
        raise MalformedFileError(path, f"cannot decode: {exc}") from None
    if failure is not None:
        if "invalid token" in str(failure):  # expat's word for bytes that are not UTF-8, too: say which
            undecodable = decoding_error(path, "not UTF-8 text (the XML declares or defaults to UTF-8)")
            if undecodable is not None and undecodable.line == failure.position[0]:
                raise undecodable from None
        raise MalformedFileError(path, f"not well-formed XML: {failure}", line=failure.position[0]) from None
    if root is None:
        raise MalformedFileError(path, "empty file: no <iati-activities> element")
