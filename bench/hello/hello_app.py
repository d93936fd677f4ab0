"""The bare Flask app the HTTP benchmark compares the platform against."""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "hello"
