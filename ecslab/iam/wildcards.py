"""Wildcard matching the way IAM does it, compiled once and cached.

Four flavours, each documented by AWS:

- **actions**: case-insensitive, ``*`` (any run of characters) and ``?`` (one character);
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
- **resources** (the ``Resource`` element): case-sensitive; ``*`` and ``?`` work inside each
  colon-separated segment of the ARN, and a ``*`` that ends a segment may run on past the colons
  (so ``log-group:/ecs/app:*`` covers the streams of that group, ``log-group:/ecs/app`` does not);
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
- **StringLike**: case-sensitive, ``*`` and ``?`` anywhere;
- **ArnLike / ArnEquals**: the six colon-delimited components of the ARN are compared separately,
  each may hold ``*`` and ``?``;
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html

A pattern may contain literal pieces (the values of policy variables, ``${*}``...) that must not
act as wildcards, so the compilers take a sequence of ``(text, literal)`` pieces as well as a plain
string. We write this ourselves because ``fnmatch`` treats ``[`` as a character class and knows
nothing of ARN segments.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

Pieces = Sequence[tuple[str, bool]]  # (text, literal?)


def has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


def _glob_to_regex(pieces: Pieces, star: str, question: str) -> str:
    out: list[str] = []
    for text, literal in pieces:
        if literal:
            out.append(re.escape(text))
            continue
        for char in text:
            if char == "*":
                out.append(star)
            elif char == "?":
                out.append(question)
            else:
                out.append(re.escape(char))
    return "".join(out)


@lru_cache(maxsize=8192)
def _compile(regex: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(regex, flags | re.DOTALL)


# -- actions -------------------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def action_regex(pattern: str) -> re.Pattern[str]:
    """Regex for an action pattern; match it against the *lower-cased* action."""
    return _compile("^" + _glob_to_regex([(pattern.lower(), False)], ".*", ".") + "$")


def action_matches(pattern: str, action: str) -> bool:
    """``action_matches("logs:Create*", "logs:CreateLogStream")`` → True (case-insensitive)."""
    if not has_wildcard(pattern):
        return pattern.lower() == action.lower()
    return action_regex(pattern).match(action.lower()) is not None


# -- resources -----------------------------------------------------------------------------------


def _resource_regex(pieces: Pieces) -> str:
    """Per-segment rule: ``*`` stays inside its colon segment unless it ends the segment."""
    # Flatten into characters tagged literal / wildcard so we can look one character ahead.
    chars: list[tuple[str, bool]] = [(c, literal) for text, literal in pieces for c in text]
    out: list[str] = []
    for i, (char, literal) in enumerate(chars):
        if literal or char not in "*?":
            out.append(re.escape(char))
        elif char == "?":
            out.append("[^:]")
        else:
            ends_segment = i + 1 == len(chars) or chars[i + 1][0] == ":"
            out.append(".*" if ends_segment else "[^:]*")
    return "^" + "".join(out) + "$"


@lru_cache(maxsize=8192)
def resource_regex(pattern: str) -> re.Pattern[str]:
    return _compile(_resource_regex([(pattern, False)]))


def resource_regex_from_pieces(pieces: Pieces) -> re.Pattern[str]:
    return _compile(_resource_regex(pieces))


def resource_matches(pattern: str, arn: str) -> bool:
    """``resource_matches("arn:aws:logs:*:*:log-group:/ecs/app:*", stream_arn)`` → True."""
    if pattern == "*":
        return True
    if not has_wildcard(pattern):
        return pattern == arn
    return resource_regex(pattern).match(arn) is not None


# -- StringLike ----------------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def _string_like_regex(pieces: tuple[tuple[str, bool], ...]) -> re.Pattern[str]:
    return _compile("^" + _glob_to_regex(pieces, ".*", ".") + "$")


def string_like(pattern: str | Pieces, value: str) -> bool:
    pieces = ((pattern, False),) if isinstance(pattern, str) else tuple(pattern)
    return _string_like_regex(pieces).match(value) is not None


# -- ArnLike / ArnEquals -------------------------------------------------------------------------


def arn_like(pattern: str | Pieces, value: str) -> bool:
    """Compare the six components ``arn:partition:service:region:account:resource`` one by one."""
    if isinstance(pattern, str):
        if pattern == "*":
            return True
        pieces: Pieces = ((pattern, False),)
    else:
        pieces = tuple(pattern)
        if len(pieces) == 1 and pieces[0] == ("*", False):
            return True
    return _arn_like_regex(tuple(pieces)).match(value) is not None


@lru_cache(maxsize=8192)
def _arn_like_regex(pieces: tuple[tuple[str, bool], ...]) -> re.Pattern[str]:
    # Split the pattern into its six components on the unescaped colons, then glob each one.
    components: list[list[tuple[str, bool]]] = [[]]
    for text, literal in pieces:
        if literal:
            components[-1].append((text, True))
            continue
        parts = text.split(":")
        for j, part in enumerate(parts):
            if j:
                if len(components) < 6:
                    components.append([])
                else:
                    components[-1].append((":", True))
            if part:
                components[-1].append((part, False))
    if len(components) != 6:
        return _compile("(?!)")  # not an ARN pattern: matches nothing
    regexes = [
        _glob_to_regex(c, "[^:]*" if i < 5 else ".*", "[^:]" if i < 5 else ".")
        for i, c in enumerate(components)
    ]
    return _compile("^" + ":".join(regexes) + "$")
