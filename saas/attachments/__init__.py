"""Evidence files: photos and scans attached to ledger entries, inspection items and the
answers to rectification notices (docs/attachments.md)."""
