"""huiqi (惠企): policy texts → citable clauses → rules → what is due, why, and how it gets paid."""

__version__ = "0.1.0"
