"""A draw's bundle as a download: canonical JSON, or the ``shuangsuiji-draw/3`` text file."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, request

from shuangsuiji.access import allow, db_session
from shuangsuiji.models.draws import Draw
from shuangsuiji.services import bundlefiles, bundletexts
from shuangsuiji.web.staff.common import bp
from shuangsuiji.web.staff.draws import draw_or_404


@bp.get("/draws/<int:draw_id>/bundle.json")
@allow("tenant_admin", "operator", "viewer", "inspector")
def draw_bundle(draw_id: int) -> Response:
    record, _row = draw_or_404(draw_id)
    return bundle_response(db_session(), record)


@bp.get("/draws/<int:draw_id>/bundle.txt")
@allow("tenant_admin", "operator", "viewer", "inspector")
def draw_bundle_text(draw_id: int) -> Response:
    record, _row = draw_or_404(draw_id)
    return bundle_response(db_session(), record, text=True)


def bundle_response(s: Any, record: Draw, *, text: bool = False) -> Response:
    """The bundle as a download, in canonical JSON (the bytes the digest is computed over),
    or with ``text`` as the ``shuangsuiji-draw/3`` file (its pool as the digest lines),
    streamed from its stored pieces in constant memory; gzip when the client takes it."""
    platform = current_app.extensions["shuangsuiji"]
    tenant_id = record.tenant_id
    # the pieces are read in a session of their own while the response streams: the
    # request's session ends with the request, as always
    make = bundletexts.download_text if text else bundlefiles.download
    got = make(s, record, gzip=request.accept_encodings["gzip"] > 0,
               opener=lambda: platform.db.session(tenant_id))
    response = Response(got.chunks, mimetype="text/plain" if text else "application/json")
    if got.gzip:
        response.headers["Content-Encoding"] = "gzip"
    if got.length >= 0:
        response.headers["Content-Length"] = str(got.length)
    response.vary.add("Accept-Encoding")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="draw-{record.id}-bundle.{"txt" if text else "json"}"')
    return response
