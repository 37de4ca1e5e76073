"""Customer feedback (顾客意见): QR links per person and unit, the public form, and its abuse
guards; see docs/feedback.md."""
