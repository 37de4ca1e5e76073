"""Rectification notices (整改通知): raised by failed inspection items, answered by the unit's
manager or the provider's contact, verified by the inspector (docs/inspections.md)."""
