"""Services: load from the database, ask the tenant's packs, run the kernel, commit with audit.

Blueprints, the API and CLI commands are thin callers of these functions.
"""
