"""A small reader for the URScript strokebot-arm writes: a program of calls, parsed and checked.

It knows the URScript grammar of what is written (``def NAME(): … end``, calls with positional and
keyword arguments, numbers, ``True``/``False``, lists ``[…]`` and poses ``p[…]``, ``#`` comments) and
refuses anything else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_TOKEN = re.compile(r"\s*(?:(?P<number>-?\d+(?:\.\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<symbol>[()\[\],=]))")


@dataclass
class Pose:
    values: list[float]


@dataclass
class Call:
    name: str
    args: list[Any] = field(default_factory=list)
    kwargs: dict[str, Any] = field(default_factory=dict)
    line: int = 0


def _tokens(text: str, line: int) -> list[tuple[str, str]]:
    out, position = [], 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            if text[position:].strip() == "":
                break
            raise ValueError(f"line {line}: cannot read {text[position:]!r}")
        kind = match.lastgroup
        out.append((kind, match.group(kind)))
        position = match.end()
    return out


def _value(tokens: list[tuple[str, str]], i: int, line: int) -> tuple[Any, int]:
    kind, text = tokens[i]
    if kind == "number":
        return float(text), i + 1
    if kind == "name" and text in ("True", "False"):
        return text == "True", i + 1
    pose = kind == "name" and text == "p" and tokens[i + 1] == ("symbol", "[")
    if pose or (kind, text) == ("symbol", "["):
        i += 2 if pose else 1
        items = []
        while tokens[i] != ("symbol", "]"):
            item, i = _value(tokens, i, line)
            items.append(item)
            if tokens[i] == ("symbol", ","):
                i += 1
        return (Pose(items) if pose else items), i + 1
    raise ValueError(f"line {line}: unexpected {text!r}")


def parse(program: str) -> tuple[str, list[Call]]:
    """The program's name and its calls, in order.

    Raises:
        ValueError: anything that is not a ``def … end`` program of plain calls.
    """
    lines = program.rstrip("\n").split("\n")
    header = re.fullmatch(r"def ([A-Za-z_][A-Za-z0-9_]*)\(\):", lines[0])
    if header is None or lines[-1] != "end":
        raise ValueError("not a def NAME(): ... end program")
    calls = []
    for number, raw in enumerate(lines[1:-1], start=2):
        if not raw.startswith("  ") or raw.startswith("   "):
            raise ValueError(f"line {number}: body lines are indented by two spaces")
        text = raw.split("#", 1)[0].strip()
        if not text:
            continue
        tokens = _tokens(text, number)
        if tokens[0][0] != "name" or tokens[1] != ("symbol", "(") or tokens[-1] != ("symbol", ")"):
            raise ValueError(f"line {number}: not a call: {text!r}")
        call = Call(tokens[0][1], line=number)
        i = 2
        while i < len(tokens) - 1:
            if tokens[i][0] == "name" and tokens[i + 1] == ("symbol", "="):
                call.kwargs[tokens[i][1]], i = _value(tokens, i + 2, number)
            else:
                if call.kwargs:
                    raise ValueError(f"line {number}: a positional argument after a keyword one")
                value, i = _value(tokens, i, number)
                call.args.append(value)
            if tokens[i] == ("symbol", ","):
                i += 1
            elif i != len(tokens) - 1:
                raise ValueError(f"line {number}: expected ',' or ')'")
        calls.append(call)
    return header.group(1), calls
