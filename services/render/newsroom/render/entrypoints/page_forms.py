"""The forms a page is stored and served with besides its bytes: its ETag and its gzip form.
The projector stores them with each story's page (article_html.ArticlePageRenderer), so this
module is one of the sources a page build is named by (article_html.SOURCES): a change here
changes what is stored, the rest of the HTTP handling (caching) does not."""

from __future__ import annotations

import gzip
import hashlib

GZIP_LEVEL = 6  # zlib's default: nearly level 9's size at a fraction of its time


def etag_of(body: bytes) -> str:
    return 'W/"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def gzip_form(body: bytes) -> bytes:
    """`body` gzip-compressed as served (deterministically: no timestamp in the header)."""
    return gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
