"""``CROSS JOIN UNNEST`` as DuckDB runs it fast: the UNNEST moved into a SELECT list.

BigQuery flattens an array with ``FROM t CROSS JOIN UNNEST(t.labels) AS label``,
and the report's SQL is written that way.  DuckDB plans that as a lateral join
and removes the lateral join again only in its simplest shape (its
"unnest rewriter"): the argument a plain column, and no filter on the
unnested values.  A ``WHERE label.value != 0`` is pushed below the lateral
join and an argument such as ``metrics.labeled_counter.x`` makes the join key
the whole ``metrics`` struct, so DuckDB 2.0.1 falls back to a duplicate
eliminating join that hashes that struct for every row: 2 to 3 s per million
rows for one flattened metric, against milliseconds for the same UNNEST in a
SELECT list (duckdb/duckdb#19152 notes the pushed-down filter defeating the
rewriter).  So, for DuckDB only, each such join becomes a derived table::

    FROM t CROSS JOIN UNNEST(e) AS x
    ->  FROM (SELECT t.*, UNNEST(e) AS x FROM t) AS t

which has the same rows (none for an empty or NULL array, one per element
otherwise) and leaves ``x.field`` a struct field DuckDB resolves.  Only the
shape the report uses is rewritten: a FROM of one table or subquery followed
by nothing but unconditional UNNEST joins with one array and one alias each;
every other query is left as it is.
"""

from __future__ import annotations

from sqlglot import exp


def _flattening(join: exp.Join) -> tuple[exp.Expr, str] | None:
    """(array, alias) of ``CROSS JOIN UNNEST(array) AS alias`` (or ``, UNNEST(...)``), else None."""
    unnest = join.this
    if not isinstance(unnest, exp.Unnest) or join.args.get("on") or join.args.get("using") or join.side:
        return None
    if join.kind not in ("", "CROSS") or unnest.args.get("offset") or len(unnest.expressions) != 1:
        return None
    alias = unnest.args.get("alias")
    columns = alias.columns if isinstance(alias, exp.TableAlias) else []
    if len(columns) != 1 or (alias is not None and alias.name):
        return None
    return unnest.expressions[0], columns[0].name


def _rewrite_select(select: exp.Select) -> exp.Select:
    joins = select.args.get("joins") or []
    source = select.args.get("from_")
    if not joins or source is None or not isinstance(source.this, exp.Table | exp.Subquery):
        return select
    flattenings = [_flattening(join) for join in joins]
    if any(flattening is None for flattening in flattenings):
        return select
    relation: exp.Expr = source.this
    name = relation.alias_or_name
    if not name:
        return select
    for array, alias in (flattening for flattening in flattenings if flattening is not None):
        inner = exp.select(exp.Column(this=exp.Star(), table=exp.to_identifier(name)))
        inner = inner.select(exp.alias_(exp.Unnest(expressions=[array.copy()]), alias)).from_(relation)
        relation = inner.subquery(name)
    select.set("joins", None)
    select.set("from_", exp.From(this=relation))
    return select


def unnest_in_select(tree: exp.Expr) -> exp.Expr:
    """``tree`` (parsed BigQuery) with every rewritable ``CROSS JOIN UNNEST`` moved into a SELECT list."""
    return tree.transform(lambda node: _rewrite_select(node) if isinstance(node, exp.Select) else node)
