"""Credit-risk class strata for people: the class's Chinese (or English) name from the
tenant's pack, not the kernel's ``class:D``."""

from __future__ import annotations

from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l

from shuangsuiji.access import current_tenant
from shuangsuiji.packs.errors import PackError
from shuangsuiji.services.imports import today_in_china
from shuangsuiji.web.i18n import current_language


def class_label(code: str, on: date | None = None) -> str:
    """The name of class ``code`` in the current tenant's rules on ``on`` (default today);
    the code itself, marked as a class, when the rules do not name it."""
    tenant = current_tenant()
    if tenant is not None:
        platform = current_app.extensions["shuangsuiji"]
        try:
            classes = platform.policy_for(tenant).rules(on or today_in_china()).credit_classes
        except (PackError, KeyError):  # a pack not installed here: show the code
            classes = ()
        for c in classes:
            if c.code == code:
                return c.name_zh if current_language() == "zh_CN" else c.name_en
    return str(_l("credit-risk class %(code)s", code=code))
