"""Inspections after the draw: notices, on-site records, results, reports, publication, follow-up."""

from __future__ import annotations
