"""The performance ledger (实绩档案): dated entries per subject that scheme rules count."""
