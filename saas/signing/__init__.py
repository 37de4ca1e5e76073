"""Keys and certificates: the platform CA, each tenant's signing identity, PDF signing and
verification."""
