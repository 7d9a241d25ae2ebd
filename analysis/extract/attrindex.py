"""The model's ``attribute_ruler`` matches, found through an index instead of spaCy's Matcher.

``en_core_web_sm``'s attribute ruler holds 179 rules, nearly all of one token (``{"TAG": "NN"}``,
``{"LOWER": "n't", "TAG": "RB"}``). spaCy's Matcher tries every rule at every token: about a
tenth of the whole pipeline's time on news text, as much as the parser. Indexing the rules by
the tag or lower-case form they require finds the same matches at a fraction of the cost, and
they are applied in the same order as the ruler applies them, without building a ``Span`` for
each, so the tokens come out exactly as before; tests compare the matches with the Matcher's and
the tokens with the ruler's own.

Only what those rules use is supported (token attributes TAG, LOWER, DEP, IS_SPACE with a value,
``IN``, ``NOT_IN`` or ``REGEX``; no operators): a ruler with anything else keeps its Matcher.
"""
from __future__ import annotations

import itertools
import operator
import re
from collections.abc import Callable
from typing import Any

from spacy.attrs import DEP, IS_SPACE, LOWER, TAG
from spacy.tokens import Doc

#: Token attributes the index reads, in the order of ``Doc.to_array``'s columns.
_COLUMNS = {"TAG": 0, "LOWER": 1, "DEP": 2, "IS_SPACE": 3}
_ARRAY = [TAG, LOWER, DEP, IS_SPACE]

Check = Callable[[tuple[int, ...]], bool]


def _check(vocab, column: int, spec: Any) -> Check | None:
    """A test of one token attribute (its value in column ``column`` of the array)."""
    strings = vocab.strings
    if column == _COLUMNS["IS_SPACE"]:
        if not isinstance(spec, bool):
            return None
        want = int(spec)
        return lambda row: row[column] == want
    if isinstance(spec, str):
        h = strings[spec]
        return lambda row: row[column] == h
    if isinstance(spec, dict) and len(spec) == 1:
        (op, value), = spec.items()
        if op in ("IN", "NOT_IN") and isinstance(value, list) and all(isinstance(v, str) for v in value):
            hashes = frozenset(strings[v] for v in value)
            if op == "IN":
                return lambda row: row[column] in hashes
            return lambda row: row[column] not in hashes
        if op == "REGEX" and isinstance(value, str):
            rx = re.compile(value)
            seen: dict[int, bool] = {}  # one search per distinct form, ever

            def regex(row: tuple[int, ...]) -> bool:
                h = row[column]
                hit = seen.get(h)
                if hit is None:
                    hit = seen[h] = bool(rx.search(strings[h]))
                return hit
            return regex
    return None


def _index_key(vocab, token: dict[str, Any]) -> list[tuple[int, int]] | None:
    """The (column, value hash) pairs under which a pattern is filed: one value it requires
    (TAG, LOWER or DEP), or each value of such an ``IN`` list, or IS_SPACE; None when it
    requires none (then it is tried at every token)."""
    for name in ("TAG", "LOWER", "DEP"):
        spec = token.get(name)
        if isinstance(spec, str):
            return [(_COLUMNS[name], vocab.strings[spec])]
    for name in ("TAG", "LOWER", "DEP"):
        spec = token.get(name)
        if isinstance(spec, dict) and set(spec) == {"IN"}:
            return [(_COLUMNS[name], vocab.strings[v]) for v in spec["IN"]]
    if isinstance(token.get("IS_SPACE"), bool):
        return [(_COLUMNS["IS_SPACE"], int(token["IS_SPACE"]))]
    return None


def _exact_values(vocab, token: dict[str, Any]) -> tuple[tuple[int, ...], list[tuple[int, ...]]] | None:
    """A one-token pattern made only of required values (or ``IN`` lists) as its columns and
    every tuple of value hashes it accepts; None for anything else."""
    cols = tuple(sorted(_COLUMNS[k] for k in token))
    options: list[list[int]] = []
    for col in cols:
        name = next(k for k, c in _COLUMNS.items() if c == col)
        spec = token[name]
        if name == "IS_SPACE":
            if not isinstance(spec, bool):
                return None
            options.append([int(spec)])
        elif isinstance(spec, str):
            options.append([vocab.strings[spec]])
        elif isinstance(spec, dict) and set(spec) == {"IN"} and all(isinstance(v, str) for v in spec["IN"]):
            options.append([vocab.strings[v] for v in spec["IN"]])
        else:
            return None
    return cols, [tuple(v) for v in itertools.product(*options)]


class IndexedMatches:
    """Callable giving what ``AttributeRuler.match(doc)`` gives, from an index of its rules.

    One-token rules of required values are looked up by the token's values (one dictionary per
    set of columns the rules use); the few others are tried only at tokens that have the value
    their first token requires."""

    def __init__(self, ruler):
        vocab = ruler.vocab
        self.exact: dict[tuple[int, ...], dict[tuple[int, ...], list[tuple[int, int]]]] = {}
        self.by_value: dict[tuple[int, int], list[tuple[int, int, list[list[Check]]]]] = {}
        self.anywhere: list[tuple[int, int, list[list[Check]]]] = []
        for rule_id, rule in enumerate(ruler.patterns):
            match_id = vocab.strings[str(rule_id)]
            for pattern in rule["patterns"]:
                if not pattern:
                    raise ValueError(f"attribute rule {rule_id}: empty pattern")
                for token in pattern:
                    if not isinstance(token, dict) or not token or set(token) - set(_COLUMNS):
                        raise ValueError(f"attribute rule {rule_id}: unsupported token pattern {token!r}")
                exact = _exact_values(vocab, pattern[0]) if len(pattern) == 1 else None
                if exact is not None:
                    cols, values = exact
                    table = self.exact.setdefault(cols, {})
                    for v in values:
                        table.setdefault(v, []).append((rule_id, match_id))
                    continue
                checks: list[list[Check]] = []
                for token in pattern:
                    tc = [_check(vocab, _COLUMNS[k], v) for k, v in token.items()]
                    if any(c is None for c in tc):
                        raise ValueError(f"attribute rule {rule_id}: unsupported value in {token!r}")
                    checks.append(tc)  # type: ignore[arg-type]
                entry = (rule_id, match_id, checks)
                keys = _index_key(vocab, pattern[0])
                if keys is None:
                    self.anywhere.append(entry)
                else:
                    for key in keys:
                        self.by_value.setdefault(key, []).append(entry)
        self.tables = [(operator.itemgetter(*cols) if len(cols) > 1 else operator.itemgetter(cols[0]),
                        {(k if len(cols) > 1 else k[0]): v for k, v in table.items()})
                       for cols, table in self.exact.items()]
        self.cache: dict[tuple[int, ...], tuple[list, list]] = {}

    def _at(self, row: tuple[int, ...]) -> tuple[list[tuple[int, int]], list[tuple[int, int, list[list[Check]]]]]:
        """For a token's values: the one-token rules it matches, and the longer rules whose
        first token it matches (to be checked against the tokens after it)."""
        hits: list[tuple[int, int]] = []
        for getter, table in self.tables:
            hits.extend(table.get(getter(row), ()))
        longer = []
        by_value = self.by_value
        for group in (by_value.get((0, row[0])), by_value.get((1, row[1])),
                      by_value.get((2, row[2])), by_value.get((3, row[3])), self.anywhere):
            for entry in group or ():
                rule_id, match_id, checks = entry
                if all(c(row) for c in checks[0]):
                    if len(checks) == 1:
                        hits.append((rule_id, match_id))
                    else:
                        longer.append(entry)
        return hits, longer

    def __call__(self, doc: Doc) -> list[tuple[int, int, int, int]]:
        rows = [tuple(r) for r in doc.to_array(_ARRAY).tolist()] if len(doc) else []
        n = len(rows)
        found: list[tuple[int, int, int, int]] = []
        add = found.append
        cache = self.cache
        if len(cache) > 200_000:  # bounded: a token's values, not the documents, are kept
            cache.clear()
        for i, row in enumerate(rows):
            at = cache.get(row)
            if at is None:
                at = cache[row] = self._at(row)
            hits, longer = at
            for rule_id, match_id in hits:
                add((rule_id, match_id, i, i + 1))
            for rule_id, match_id, checks in longer:
                end = i + len(checks)
                if end <= n and all(all(c(rows[i + k]) for c in checks[k]) for k in range(1, len(checks))):
                    add((rule_id, match_id, i, end))
        return sorted(set(found))


def set_annotations(ruler) -> Callable[[Doc, list[tuple[int, int, int, int]]], None]:
    """``AttributeRuler.set_annotations`` without a ``Span`` per match: each match's token
    (``index`` within the match, negative from its end) gets the rule's attributes, in the
    matches' order, as spaCy does."""
    from spacy.tokens._retokenize import set_token_attrs

    attrs, indices = ruler.attrs, ruler.indices

    def apply(doc: Doc, matches: list[tuple[int, int, int, int]]) -> None:
        for attr_id, _match_id, start, end in matches:
            i = indices[attr_id]
            k = start + i if i >= 0 else end + i
            if not start <= k < end:
                raise ValueError(f"attribute rule {attr_id}: index {i} outside its match ({start}, {end})")
            set_token_attrs(doc[k], attrs[attr_id])

    return apply


def index_attribute_ruler(nlp) -> bool:
    """Have the pipeline's ``attribute_ruler`` find its matches through :class:`IndexedMatches`
    (and apply them with :func:`set_annotations`). False (the ruler left as it was) when there
    is none or its rules use what the index does not support."""
    if "attribute_ruler" not in nlp.pipe_names:
        return False
    ruler = nlp.get_pipe("attribute_ruler")
    try:
        ruler.match = IndexedMatches(ruler)
    except ValueError:
        return False
    ruler.set_annotations = set_annotations(ruler)
    return True
