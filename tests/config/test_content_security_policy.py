"""The templates of both roles fit the strict CSP (config.settings.CONTENT_SECURITY_POLICY): no inline
script or event handler, no javascript: URL, every <style> block with the request's nonce. The
browser tests check the pages they visit in Chromium; this covers every template, the hub's too."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(path for package in ("config", "common", "nodes", "emergency", "hub", "sync", "permissions")
                   for path in (ROOT / package).rglob("templates/**/*.html"))


def _offences(text: str) -> list[str]:
    text = re.sub(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", "", text, flags=re.DOTALL)
    found = [m.group(0) for m in re.finditer(r"\son[a-z]+\s*=", text)]
    found += [m.group(0) for m in re.finditer(r"<script(?![^>]*\bsrc=)[^>]*>", text)]
    found += [m.group(0) for m in re.finditer(r"<style(?![^>]*\bnonce=)[^>]*>", text)]
    found += re.findall(r"javascript:", text, flags=re.IGNORECASE)
    found += re.findall(r"\bhx-on\b|\bhx-on:", text)
    return found


def test_no_template_needs_unsafe_inline_script():
    assert len(TEMPLATES) > 40
    offences = {str(path.relative_to(ROOT)): found for path in TEMPLATES
                if (found := _offences(path.read_text(encoding="utf-8")))}
    assert offences == {}


def test_the_policy_header_is_sent_with_a_fresh_nonce_for_styles(client):
    first, second = client.get("/login/"), client.get("/login/")
    policy = first["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split("style-src-attr")[0]
    assert "object-src 'none'" in policy and "base-uri 'none'" in policy and "frame-ancestors 'none'" in policy
    nonce = re.search(r"'nonce-([^']+)'", policy)
    assert nonce is None or nonce.group(1) not in second["Content-Security-Policy"]
