"""A dense room shows its ligature points a page at a time (thumbnails lazy), and every point is
still reachable: through the pages and through its checklist item."""
from __future__ import annotations

import re

from sqlalchemy import event

from inspect_app.extensions import db
from inspect_app.inspections import services as inspections
from inspect_app.inspections.room_views import POINTS_SHOWN


def test_a_dense_room_lists_its_points_in_pages(make_action, auth):
    count = POINTS_SHOWN + 3
    made = [make_action(room="Day room", likelihood=2, consequence=3, description=f"Point {n}") for n in range(count)]
    inspection = inspections.in_progress_for(made[0].ward_id)
    room_url = f"/inspections/{inspection.id}/rooms/{made[0].finding.room_id}"
    auth.login("inspector@demo.nhs.test")
    first = auth.client.get(room_url).get_data(as_text=True)
    section = first[first.index('id="points-h"'):]
    assert f"Ligature points in this room ({count})" in first
    assert f"Showing 1–{POINTS_SHOWN} of {count}" in first
    assert section.count('<li class="finding-row"') == POINTS_SHOWN
    assert "Point 0" in section and f"Point {count - 1}" not in section
    link = re.search(r'href="([^"]*points=2)#points-h">Next points', first).group(1)
    second = auth.client.get(link).get_data(as_text=True)
    rest = second[second.index('id="points-h"'):]
    assert rest.count('<li class="finding-row"') == 3 and f"Point {count - 1}" in rest
    assert f'start="{POINTS_SHOWN + 1}"' in rest and "Previous points" in rest and "Next points" not in rest
    assert auth.client.get(room_url + "?points=99").status_code == 200  # past the end: the last page
    assert all(tag.count('loading="lazy"') for tag in re.findall(r"<img [^>]*>", section))


def _statements(client, url: str) -> int:
    seen = []

    def count(*_args):
        seen.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def test_the_room_page_reads_its_points_in_a_fixed_number_of_statements(make_action, auth):
    """The points are read with only the columns the page shows: nothing is fetched point by point."""
    one = make_action(room="Bedroom 1", likelihood=2, consequence=3)
    dense = [make_action(room="Day room", likelihood=2, consequence=3, description=f"Point {n}") for n in range(12)]
    inspection = inspections.in_progress_for(one.ward_id)
    auth.login("inspector@demo.nhs.test")
    urls = [f"/inspections/{inspection.id}/rooms/{a.finding.room_id}" for a in (one, dense[0])]
    for url in urls:
        auth.client.get(url)  # warm: the session's first statements
    assert _statements(auth.client, urls[0]) == _statements(auth.client, urls[1])
