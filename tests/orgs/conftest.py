"""Fixtures for the organisation tree tests."""

from __future__ import annotations

from tests.directories.conftest import cq, tenant_session  # noqa: F401 - fixtures
from tests.draws.conftest import make_task  # noqa: F401 - fixture
from tests.web.conftest import client_for, users, world  # noqa: F401 - fixtures

#: MIIT's tree as a file would hold it (Chinese headings and kinds).
MIIT_HEADINGS = ["单位编码", "单位名称", "上级单位编码", "单位类型"]
MIIT_ROWS = [
    ["AQS", "安全生产司", "", "司局"],
    ["AQS-1", "综合处", "AQS", "处室"],
    ["AQS-2", "监督检查处", "AQS", "处室"],
    ["AQS-SUB", "省通信管理局", "AQS", "下级主管部门"],
    ["DZS", "电子信息司", "", "司局"],
    ["DZS-1", "综合处", "DZS", "处室"],
]
