"""The timeline rows' entity id lists are stored as JSON the read side decodes: the writer's
fast encoding must be exactly json.dumps, whatever the ids hold."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from newsroom.render.adapters.repository import _json_strings


@given(st.lists(st.text()))
def test_entity_id_lists_are_stored_as_json_dumps_writes_them(ids):
    stored = _json_strings(ids)
    assert stored == json.dumps(ids)
    assert json.loads(stored) == ids
