"""Drafts and their files in the database: SQLite here, PostgreSQL where it is installed."""

import re

import pytest

from portal.security import inline_script_hashes
from portal.store import Store
from tests.requests.conftest import HEIC, JPEG, draft_id_of, new_draft


def exercise(store: Store) -> None:
    draft_id = store.drafts.create(
        scenario="damaged-product", agent="ana", fields="{}", status="draft"
    )
    photo = {"role": "photos_item", "content_type": "image/jpeg", "data": JPEG, "sha256": "1" * 64}
    first = store.drafts.add_attachment(draft_id, filename="a.jpg", **photo)
    assert first is not None
    # The same bytes in the same role again (a form sent twice) are not stored twice...
    assert store.drafts.add_attachment(draft_id, filename="b.jpg", **photo) is None
    # ...but in another role they are a photo of something else.
    store.drafts.add_attachment(
        draft_id,
        role="photos_packaging_inside",
        filename="c.heic",
        content_type="image/heic",
        data=HEIC,
        sha256="1" * 64,
    )
    listed = store.drafts.list_attachments(draft_id)
    assert [row.filename for row in listed] == ["a.jpg", "c.heic"]
    assert listed[0].data is None
    assert store.drafts.get_attachment(draft_id, first).data == JPEG
    assert store.drafts.get_attachment(draft_id + 1, first) is None

    # Only one of two racing sends wins the draft.
    store.drafts.update(draft_id, status="prepared")
    assert store.drafts.update(draft_id, status="sending", only_if_status=("prepared",))
    assert not store.drafts.update(draft_id, status="sending", only_if_status=("prepared",))

    store.drafts.delete(draft_id)
    assert store.drafts.get(draft_id) is None
    assert store.drafts.list_attachments(draft_id) == []


def test_drafts_and_files_in_sqlite(tmp_path):
    store = Store.from_url(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    store.upgrade()
    try:
        exercise(store)
    finally:
        store.close()


def test_drafts_and_files_in_postgresql(postgres_url):
    store = Store.from_url(postgres_url)
    store.upgrade()
    try:
        exercise(store)
    finally:
        store.close()


def test_request_pages_run_no_script_of_their_own(agent_client):
    """The content security policy would block an inline script or handler on these pages."""
    draft_id = draft_id_of(
        new_draft(agent_client, "something-else", {"subject": "x", "description": "y"})
    )
    urls = [f"/portal/requests/{draft_id}/", f"/portal/requests/{draft_id}/preview"]
    urls += [f"/portal/requests/new/{slug}/" for slug in ("damaged-product", "address-problem")]
    for url in urls:
        response = agent_client.get(url)
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        policy = dict(
            part.strip().split(" ", 1)
            for part in response.headers["Content-Security-Policy"].split(";")
        )
        assert set(inline_script_hashes(page)) <= set(policy["script-src"].split()), url
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", page), url


@pytest.mark.parametrize("path", ["/portal/requests/999/", "/portal/requests/999/preview"])
def test_an_unknown_request_is_not_found(agent_client, path):
    assert agent_client.get(path).status_code == 404
