"""The vectorized engine (向量化引擎): the one rule AST compiled to DuckDB SQL over a whole population.

Same answers as the scalar evaluator (``huiqi.engine.evaluate.calculate(..., explain=False)``) for
every entity and item — status, amount in fen, discretionary cap — computed by staged SQL instead of
a loop over profiles. Usage::

    con = duck.connect()
    register_profiles(con, profiles)          # or attach_population(con, Path("pop/"))
    rel = run(con, load_rules(), 2023)        # entity_id, item_id, year, status, amount_fen, cap_fen

Rows absent from the (default, sparse) result are ``not_eligible``; ``dense=True`` lists them too.
An AST node the compiler does not know raises ``NotVectorized`` naming the node and the item.
"""

from huiqi.engine.vectorized.compiler import Plan, compile_year, execute, live_items, run
from huiqi.engine.vectorized.expressions import NotVectorized
from huiqi.engine.vectorized.reference import scalar_rows
from huiqi.engine.vectorized.tables import InputError, attach_population, register_profiles

__all__ = [
    "InputError",
    "NotVectorized",
    "Plan",
    "attach_population",
    "compile_year",
    "execute",
    "live_items",
    "register_profiles",
    "run",
    "scalar_rows",
]
