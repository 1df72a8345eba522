"""The policy corpus: documents as citable clauses, their figures, and Chinese full-text search."""
