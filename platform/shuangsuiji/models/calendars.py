"""Tenant-managed working-day calendars for years the chinesecalendar package does not know."""

from __future__ import annotations
