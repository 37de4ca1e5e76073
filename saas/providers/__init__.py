"""Outsourced providers (服务商): their contracts, payment tiers by band, grades, and the
contact who logs in to follow them."""
