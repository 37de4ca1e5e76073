"""A cycle's results: the table, the score distribution and one subject's explained result."""
