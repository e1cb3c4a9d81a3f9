"""Two web hosts, one database and one S3 bucket (ALUR_STORAGE=s3), each with an upload
folder of its own that stays empty: what one host takes in, the other serves, verifies
and bundles; an object changed in the bucket is caught. The bucket is moto's S3 server
(tests/engine/storage/s3server.py), reached over HTTP as a real one would be."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from engine.storage import content_key
from tests.conftest import T0
from tests.engine.storage import s3server
from tests.webapp.api_support import ApiClient, Clock
from tests.webapp.conftest import SignIn, _copy_database, _template
from tests.webapp.inbox_support import open_task_id, post_form, start_run, text_of

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n" + b"bukti dari host A\n" * 50
TEXT = b"Notulen dari host B\n"
PLAN = b"%PDF-1.7\n" + b"rencana aksi\n" * 40


class Host:
    def __init__(self, app):
        self.app, self.client = app, app.test_client()
        self.login = SignIn(self.client)
        self.api = ApiClient(app, Clock(T0))
        self.uploads = Path(app.config["UPLOAD_DIR"])

    def upload(self, task_id: int, filename: str, body: bytes):
        return post_form(self.client, f"/tasks/{task_id}/documents",
                         {"file": (io.BytesIO(body), filename)}, page=f"/tasks/{task_id}",
                         content_type="multipart/form-data")

    def stored_here(self) -> list[Path]:
        return [p for p in self.uploads.rglob("*") if p.is_file()]


@pytest.fixture(scope="module")
def bucket() -> str:
    return s3server.new_bucket()


@pytest.fixture(scope="module")
def apps(tmp_path_factory, bucket):
    """Made once for the module (building an app takes a while): each test starts a run
    of its own and uploads content of its own."""
    from webapp import create_app

    folder = tmp_path_factory.mktemp("two-hosts")
    target = folder / "shared.sqlite3"
    _copy_database(_template(tmp_path_factory), target)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ALUR_SECRET_KEY", "web-tests-only")
        apps = [create_app({"DATABASE_URL": f"sqlite:///{target}", "TESTING": True,
                            "NOW": T0, "UPLOAD_DIR": str(folder / f"uploads-{name}"),
                            "RUNTIME_OVERRIDES": s3server.settings_for(bucket)})
                for name in ("a", "b")]
    yield apps
    for app in apps:
        app.extensions["alur"].engine.dispose()


@pytest.fixture()
def hosts(apps) -> list[Host]:
    """The two hosts, each with a browser (test client) and an API client of its own."""
    return [Host(app) for app in apps]


def key_of(body: bytes) -> str:
    return "documents/" + content_key(hashlib.sha256(body).hexdigest())


def document_links(html: str) -> list[str]:
    return [part.split('"')[0] for part in html.split('href="/documents/')[1:]]


def test_what_one_host_takes_in_the_other_serves(hosts, bucket):
    one, two = hosts
    instance_id = start_run(one.app)
    task_id = open_task_id(one.app, instance_id, "Task_01")
    one.login("tim1")
    two.login("tim1")
    assert one.upload(task_id, "Notulen.pdf", PDF).status_code == 302
    assert two.upload(task_id, "catatan.txt", TEXT).status_code == 302
    assert {key_of(PDF), key_of(TEXT)} <= set(s3server.object_names(bucket))
    assert one.stored_here() == [] and two.stored_here() == []
    for host in hosts:
        links = document_links(text_of(host.client.get(f"/tasks/{task_id}")))
        bodies = {host.client.get(f"/documents/{link}").data for link in links}
        assert bodies == {PDF, TEXT}


def test_the_other_host_verifies_bundles_and_catches_a_changed_object(hosts, bucket):
    one, two = hosts
    instance_id = start_run(one.app)
    task_id = open_task_id(one.app, instance_id, "Task_01")
    one.login("tim1")
    assert one.upload(task_id, "Rencana.pdf", PLAN).status_code == 302
    verdict = two.api.ok(two.api.get("auditor", f"/instances/{instance_id}/verify"))
    assert verdict["ok"] is True and verdict["documents_checked"] == 1
    bundle = two.api.get("auditor", f"/instances/{instance_id}/audit-bundle")
    assert bundle.status_code == 200
    with zipfile.ZipFile(io.BytesIO(bundle.get_data())) as archive:
        stored = [name for name in archive.namelist() if name.startswith("dokumen/")]
        assert [archive.read(name) for name in stored] == [PLAN]
    s3server.client().put_object(Bucket=bucket, Key=key_of(PLAN), Body=PLAN + b"%changed")
    verdict = one.api.ok(one.api.get("auditor", f"/instances/{instance_id}/verify"))
    assert (verdict["ok"], verdict["problem"]) == (False, "document_changed")
    two.login("auditor")
    page = two.client.get(f"/audit/pelaksanaan/{instance_id}/bundel")
    with zipfile.ZipFile(io.BytesIO(page.get_data())) as archive:
        manifest = archive.read("manifest.json").decode()
    assert '"document_changed"' in manifest
