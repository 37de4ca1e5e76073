"""Request plumbing shared by every blueprint: tenancy, locale, security headers, errors."""
