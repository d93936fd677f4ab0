"""The pack conformance kit: checks any pack against the hook contract."""
