"""Template filters of the workspace (values stay data: each filter returns text that Django then escapes)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def name_of(names: dict[str, str], analyst: Any) -> str:
    """`Full Name (username)` for an account's username, or the analyst's name as recorded."""
    text = str(analyst or "")
    full = names.get(text)
    return f"{full} ({text})" if full and full != text else text
