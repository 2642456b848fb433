"""Lay out label text for the SVG diagram: estimate widths, wrap Chinese and Latin text, emit <text>.

The server has no font metrics, so widths are estimated per character class (CJK full width, Latin
proportional). Chinese wraps between any two characters (except before closing punctuation); Latin text
wraps at spaces and hyphens, and a word longer than the line is cut.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from lxml import etree

from engine.bpmn.document import Element

SVG_NS = "http://www.w3.org/2000/svg"
LINE_HEIGHT = 1.2
_NO_LINE_START = set("，。、；：？！）》」』】〕…,.;:?!)]}%")
_NARROW = set("iIl.,:;|!'`()[]{} ")
_WIDE = set("mwMW@%")


def svg(tag: str) -> str:
    return f"{{{SVG_NS}}}{tag}"


def char_width(char: str, size: float) -> float:
    """An estimate of the advance of ``char`` at font size ``size`` (sans-serif)."""
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return size
    if char in _NARROW:
        return size * 0.3
    if char in _WIDE:
        return size * 0.85
    # calibrated on Noto Sans CJK SC and Liberation Sans (Arial metrics) in Chromium, rounded up
    if char.isupper():
        return size * 0.68
    if char.isdigit():
        return size * 0.58
    return size * 0.55


def text_width(text: str, size: float) -> float:
    return sum(char_width(c, size) for c in text)


def _is_cjk(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _tokens(text: str) -> Iterator[str]:
    """Break opportunities: a Latin word with its trailing space or hyphen, or one CJK character (with the
    closing punctuation that must not start a line)."""
    word = ""
    for char in text:
        if _is_cjk(char) and char not in _NO_LINE_START:
            if word:
                yield word
            word = char
            continue
        word += char
        if char in " -/" or (char in _NO_LINE_START and _is_cjk(char)):
            yield word
            word = ""
    if word:
        yield word


def _cut(word: str, width: float, size: float) -> list[str]:
    pieces, current = [], ""
    for char in word:
        if current and text_width(current + char, size) > width:
            pieces.append(current)
            current = ""
        current += char
    return [*pieces, current] if current else pieces


def wrap(text: str, width: float, size: float, max_lines: int = 0) -> list[str]:
    """Lines of at most ``width`` (estimated); explicit line breaks are kept; ``max_lines`` > 0 truncates
    with an ellipsis."""
    lines: list[str] = []
    for paragraph in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        current = ""
        for token in _tokens(" ".join(paragraph.split(" "))):
            candidate = current + token
            if not current or text_width(candidate.rstrip(), size) <= width:
                current = candidate
                if text_width(current.rstrip(), size) > width:  # one word wider than the line
                    *full, current = _cut(current, width, size)
                    lines.extend(full)
                continue
            lines.append(current.rstrip())
            current = token.lstrip()
            if text_width(current.rstrip(), size) > width:
                *full, current = _cut(current, width, size)
                lines.extend(full)
        lines.append(current.rstrip())
    while len(lines) > 1 and not lines[-1]:
        lines.pop()
    if max_lines and len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: max(len(lines[-1]) - 1, 0)] + "…"
    return lines


@dataclass(frozen=True)
class TextBlock:
    """Where a block of lines goes: ``x`` is the anchor line, ``y`` the top of the first line."""

    x: float
    y: float
    size: float = 12.0
    anchor: str = "middle"


def add_lines(parent: Element, lines: list[str], block: TextBlock, css_class: str = "label") -> Element | None:
    """Append a <text> of ``lines`` (one <tspan> per line); lxml escapes the text."""
    if not any(lines):
        return None
    text = etree.SubElement(parent, svg("text"), {"class": css_class})
    text.set("x", fmt(block.x))
    text.set("y", fmt(block.y + block.size * 0.9))
    # presentation attributes, not CSS: the embedded style sheet must not override them
    text.set("text-anchor", block.anchor)
    text.set("font-size", fmt(block.size))
    for number, line in enumerate(lines):
        span = etree.SubElement(text, svg("tspan"), {"x": fmt(block.x)})
        if number:
            span.set("dy", fmt(block.size * LINE_HEIGHT))
        span.text = line
    return text


def block_height(count: int, size: float) -> float:
    return count * size * LINE_HEIGHT


def _largest_fit(text: str, width: float, height: float, size: float, smallest: float) -> tuple[float, list[str]]:
    """The largest font size (down to ``smallest``) whose wrapped lines fit ``height``; (0, []) if none."""
    while size >= smallest:
        lines = wrap(text, width, size)
        if block_height(len(lines), size) <= height + 2:
            return size, lines
        size -= 1
    return 0.0, []


def fitted_label(
    parent: Element, text: str, box: Any, size: float, *, clear_top: float = 0, smallest: float = 9.0
) -> None:
    """Wrap ``text`` into ``box`` (x, y, width, height) centred both ways, shrinking the font down to
    ``smallest`` before cutting lines off with an ellipsis (a task's name). The text stays below the top
    ``clear_top`` pixels (a task type icon) if some font size allows, else it uses the whole box."""
    width = max(box.width, smallest)
    top_limit = box.y + clear_top
    fitted, lines = _largest_fit(text, width, box.height - clear_top, size, smallest)
    if not fitted:
        top_limit = box.y
        fitted, lines = _largest_fit(text, width, box.height, size, smallest)
    if not fitted:
        fitted = smallest
        max_lines = max(int((box.height + 2) // (fitted * LINE_HEIGHT)), 1)
        lines = wrap(text, width, fitted, max_lines)
    height = block_height(len(lines), fitted)
    top = max(box.y + (box.height - height) / 2, top_limit)
    add_lines(parent, lines, TextBlock(box.x + box.width / 2, min(top, box.y + box.height - height), fitted))


def fmt(value: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def el(parent: Element, tag: str, css_class: str = "", **attributes: float | str) -> Element:
    """Append an SVG element; numbers are formatted, ``stroke_width`` becomes ``stroke-width``."""
    child = etree.SubElement(parent, svg(tag))
    if css_class:
        child.set("class", css_class)
    for name, value in attributes.items():
        child.set(name.rstrip("_").replace("_", "-"), fmt(value) if isinstance(value, int | float) else value)
    return child
