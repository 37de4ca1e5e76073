"""Starting background jobs from a page and following their progress."""
