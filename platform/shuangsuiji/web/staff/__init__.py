"""Staff pages of one tenant, under ``/t/<tenant_slug>/``.

Thin callers of the services: a view reads the form, calls a service, commits, and shows
the result; a :class:`~shuangsuiji.errors.UserError` from the service is shown on the same
page (message, where, hint) with nothing saved. Every view declares its roles with
:func:`shuangsuiji.access.allow`.

One blueprint, ``staff``, split into modules with one job each; importing them registers
their views on :data:`bp`, so endpoint names stay ``staff.<view>``.
"""

from __future__ import annotations

from shuangsuiji.web.staff.common import bp

# Importing the modules registers their views on ``bp``.
from shuangsuiji.web.staff import (  # noqa: F401  (isort: skip)
    bundles,
    calendars,
    conflicts,
    credit_classes,
    dashboard,
    directories,
    draws,
    followup,
    items,
    jobs,
    joint,
    joint_guest,
    plans,
    publication,
    records,
    reports,
    statistics,
    units,
    users,
)
from shuangsuiji.web.staff.bundles import bundle_response

__all__ = ["bp", "bundle_response"]
