"""Statements (考核结果单): rendering, issuing and verifying signed PDF statements."""
