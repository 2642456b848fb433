"""Read uploaded XML safely: size limit, no DTD/entities (XXE, billion laughs), syntax, root element."""

from __future__ import annotations

import re

from lxml import etree

from engine.bpmn.bundle import SourceFile
from engine.bpmn.document import BPMN_NS, DMN_VERSIONS, DocumentKind, ParsedDocument
from engine.errors import Problem

DEFAULT_MAX_BYTES = 5 * 1024 * 1024

_DTD_RE = re.compile(r"<!\s*(DOCTYPE|ENTITY)\b", re.IGNORECASE)


def size_problem(source: SourceFile, max_bytes: int) -> Problem | None:
    """A problem when the file is larger than ``max_bytes``."""
    size = len(source.content)
    if size <= max_bytes:
        return None
    return Problem(
        source.name,
        1,
        "",
        f"file is {size:,} bytes; the limit is {max_bytes:,} bytes: remove embedded images or split the "
        "process into called processes",
    )


def _decoded_for_scan(content: bytes) -> str:
    """Text good enough to look for markup declarations, whatever the 8- or 16-bit encoding."""
    head = content[:4]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16", errors="replace")
    if len(head) >= 2 and (head[0] == 0 or head[1] == 0):
        codec = "utf-16-be" if head[0] == 0 else "utf-16-le"
        return content.decode(codec, errors="replace")
    return content.decode("latin-1")


def _dtd_problem(source: SourceFile) -> Problem | None:
    text = _decoded_for_scan(source.content)
    match = _DTD_RE.search(text)
    if match is None:
        return None
    line = text.count("\n", 0, match.start()) + 1
    word = match.group(1).upper()
    return Problem(
        source.name,
        line,
        "",
        f"<!{word}> declarations are refused (they enable entity expansion and external entity attacks): "
        "remove the DOCTYPE; BPMN and DMN files never need one",
    )


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
    )


def _syntax_problem(source: SourceFile, error: etree.XMLSyntaxError) -> Problem:
    # error.error_log is lxml's per-thread log and may still hold earlier documents' errors: use the
    # exception's own message and line.
    message = re.sub(r", line \d+, column \d+$", "", str(error.msg or error).strip())
    return Problem(source.name, max(1, int(error.lineno or 1)), "", f"not well-formed XML: {message}")


def document_kind(root: etree._Element) -> DocumentKind | None:
    """'bpmn' or 'dmn' from the root element, None for anything else."""
    qname = etree.QName(root)
    if qname.localname != "definitions":
        return None
    if qname.namespace == BPMN_NS:
        return "bpmn"
    if qname.namespace in DMN_VERSIONS or "/DMN/" in (qname.namespace or ""):
        return "dmn"
    return None


def read_xml(source: SourceFile, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[ParsedDocument | None, list[Problem]]:
    """Parse one BPMN/DMN file; the document is None when it cannot be read safely."""
    too_big = size_problem(source, max_bytes)
    if too_big is not None:
        return None, [too_big]
    if not source.content.strip():
        what = "empty (0 bytes)" if not source.content else "only whitespace"
        return None, [Problem(source.name, 1, "", f"file is {what}: upload the BPMN/DMN XML file itself")]
    refused = _dtd_problem(source)
    if refused is not None:
        return None, [refused]
    try:
        root = etree.fromstring(source.content, _parser())
    except etree.XMLSyntaxError as error:
        return None, [_syntax_problem(source, error)]
    except (ValueError, etree.LxmlError) as error:
        return None, [Problem(source.name, 1, "", f"cannot read the file as XML: {error}")]
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:  # defence in depth
        return None, [Problem(source.name, 1, "", "DOCTYPE declarations are refused: remove the DOCTYPE")]
    line = max(1, int(root.sourceline or 1))
    kind = document_kind(root)
    if kind is None:
        qname = etree.QName(root)
        return None, [
            Problem(
                source.name,
                line,
                root.get("id") or "",
                f"not a BPMN or DMN file: the root element is <{qname.localname}> in namespace "
                f"'{qname.namespace or ''}'; expected <definitions> in namespace '{BPMN_NS}' "
                "(BPMN 2.0) or a DMN model namespace",
            )
        ]
    problems: list[Problem] = []
    if kind == "bpmn" and not (root.get("targetNamespace") or "").strip():
        problems.append(
            Problem(
                source.name,
                line,
                root.get("id") or "",
                'definitions has no targetNamespace: add targetNamespace="http://bpmn.io/schema/bpmn" '
                "(any URI will do) to the root element",
            )
        )
    return ParsedDocument(source.name, kind, tree), problems
