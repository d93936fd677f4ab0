"""Publication deadlines in working days, per task whose work has ended."""

from __future__ import annotations

from typing import Any

from flask import current_app

from shuangsuiji.api import context, schemas
from shuangsuiji.api.auth import VIEWERS, allow
from shuangsuiji.api.resources.common import tenant_blueprint
from shuangsuiji.caching.responses import cached
from shuangsuiji.services import deadlines as deadline_service

blp = tenant_blueprint("deadlines", "Publication deadlines (公开时限)")


@blp.route("/deadlines")
@allow(*VIEWERS)
@cached
@blp.arguments(schemas.DeadlineQuery, location="query")
@blp.response(200, schemas.DeadlineOut(many=True))
def deadline_board(query: dict[str, Any]) -> Any:
    """Every task whose work has ended, most urgent first; a provisional deadline (a year no
    calendar covers) carries its warning."""
    days = int(current_app.config.get("SSJ_DUE_SOON_DAYS", 5))
    fn = deadline_service.alerts if query["alerts_only"] else deadline_service.board
    return fn(context.session(), context.platform(), context.tenant(), due_soon_days=days)
