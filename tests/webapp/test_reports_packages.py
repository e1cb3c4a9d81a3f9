"""The package pages (/laporan/paket, /laporan/paket/impor) over HTTP: the import's two steps
through the real forms (preview writes nothing, confirm imports the whole file), each refusal
shown on the page with nothing written, the list's filters and totals, and who sees what."""

from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from engine.models import Package
from tests.sirup_support import csv_bytes, package, packages, xlsx_bytes

IMPORT = "/laporan/paket/impor"
LIST = "/laporan/paket"
SHA = re.compile(r'name="sha256" value="([0-9a-f]{64})"')


def stored(web_app) -> int:
    with web_app.extensions["alur"].session_factory() as session:
        return session.scalar(select(func.count()).select_from(Package))


def send(client, login, data: bytes, name: str = "paket.csv", **form):
    token = login.csrf_from(client.get(IMPORT).get_data(as_text=True))
    body = {"csrf_token": token, "action": "preview", "file": (io.BytesIO(data), name), **form}
    return client.post(IMPORT, data=body, content_type="multipart/form-data")


def preview_and_confirm(client, login, data: bytes, name: str = "paket.csv"):
    preview = send(client, login, data, name)
    assert preview.status_code == 200, preview.get_data(as_text=True)
    sha = SHA.search(preview.get_data(as_text=True)).group(1)
    return send(client, login, data, name, action="confirm", sha256=sha)


def test_preview_shows_the_counts_and_writes_nothing_then_confirm_imports(web_app, client, login):
    login("tim1")
    file = xlsx_bytes([*packages(3), package("51999999", nama_satker="Dinas Perhubungan")])
    preview = send(client, login, file, "rup-2026.xlsx")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and 'data-testid="import-preview"' in html
    assert re.search(r'data-testid="count-added">4<', html)
    assert stored(web_app) == 0
    done = send(client, login, file, "rup-2026.xlsx", action="confirm",
                sha256=SHA.search(html).group(1))
    assert done.status_code == 302
    assert done.headers["Location"].endswith("/laporan/paket?tahun=2026")
    assert stored(web_app) == 4
    listing = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "rup-2026.xlsx telah diimpor: 4 ditambahkan, 0 diperbarui, 0 tidak berubah." in listing
    assert listing.count('data-testid="package-row"') == 4
    assert "Rp5.000.000.000" in listing  # 4 × Rp1.250.000.000, Σ pagu of the year


def test_the_pages_script_gets_the_list_address_instead_of_a_redirect(web_app, client, login):
    login("tim1")
    file = csv_bytes(packages(2))
    preview = send(client, login, file)
    sha = SHA.search(preview.get_data(as_text=True)).group(1)
    token = login.csrf_from(client.get(IMPORT).get_data(as_text=True))
    answer = client.post(IMPORT, headers={"X-Alur-Import": "1"}, content_type="multipart/form-data",
                         data={"csrf_token": token, "action": "confirm", "sha256": sha,
                               "file": (io.BytesIO(file), "paket.csv")})
    assert answer.status_code == 204 and answer.headers["X-Location"] == "/laporan/paket?tahun=2026"
    assert "2 ditambahkan" in client.get(answer.headers["X-Location"]).get_data(as_text=True)


def test_refused_rows_are_listed_by_line_and_block_the_import(web_app, client, login):
    login("tim1")
    file = csv_bytes([*packages(2), package("", nama_paket="Tanpa kode"),
                      package("51000009", pagu="seratus juta"),
                      package("51000010", nama_satker="Dinas Antah Berantah")])
    html = send(client, login, file).get_data(as_text=True)
    assert html.count('data-testid="refused-row"') == 3
    assert 'data-testid="confirm-form"' not in html
    assert "Kode RUP" in html and "Pagu" in html  # columns by SIRUP's labels, not field names
    assert "kd_rup" not in html.split('data-testid="refused-table"')[1]
    assert stored(web_app) == 0


def test_a_changed_file_is_not_imported_on_the_previews_word(web_app, client, login):
    login("tim1")
    first, second = csv_bytes(packages(2)), csv_bytes(packages(3))
    sha = SHA.search(send(client, login, first).get_data(as_text=True)).group(1)
    answer = send(client, login, second, action="confirm", sha256=sha)
    assert answer.status_code == 409
    assert 'data-testid="import-error"' in answer.get_data(as_text=True)
    assert stored(web_app) == 0


def test_each_broken_file_gets_its_message_and_status(web_app, client, login):
    login("tim1")
    cases = [
        (b"", "kosong.csv", 400),
        (b"%PDF-1.7\n" + b"x" * 200, "paket.pdf", 415),
        (csv_bytes(packages(1), fields=("kd_rup", "nama_paket")), "kurang.csv", 400),
    ]
    for data, name, status in cases:
        answer = send(client, login, data, name)
        html = answer.get_data(as_text=True)
        assert answer.status_code == status, (name, html)
        assert 'data-testid="import-error"' in html and "Tidak ada yang diimpor." in html
    missing = send(client, login, cases[2][0], "kurang.csv").get_data(as_text=True)
    assert 'data-testid="missing-columns"' in missing and "Pagu" in missing
    assert stored(web_app) == 0


def test_a_file_over_the_cap_is_refused_on_the_page(web_app, client, login):
    """Past the other uploads' limit (10 MB) the page still takes the file up to the import's
    own cap (20 MB), so one byte more is refused with the page's message, not a bare 413."""
    login("tim1")
    cap = web_app.extensions["alur"].settings.sirup_max_bytes
    answer = send(client, login, b"a" * (cap + 1))
    assert answer.status_code == 413
    html = answer.get_data(as_text=True)
    assert 'data-testid="import-error"' in html and "Paling besar 20 MB" in html
    assert stored(web_app) == 0


def test_only_the_tim_and_admins_import(web_app, client, login):
    for username in ("pj.dinkes", "kepala", "auditor"):
        login(username)
        assert client.get(IMPORT).status_code == 403
        assert 'data-testid="import-packages"' not in client.get(LIST).get_data(as_text=True)
        token = login.csrf_from(client.get(LIST).get_data(as_text=True))
        sent = client.post(IMPORT, content_type="multipart/form-data", data={
            "csrf_token": token, "action": "preview",
            "file": (io.BytesIO(csv_bytes(packages(1))), "paket.csv")})
        assert sent.status_code == 403 and stored(web_app) == 0
        login.logout()


def test_a_pj_lists_only_their_own_opd_and_overseers_filter(web_app, client, login):
    login("tim1")
    preview_and_confirm(client, login, csv_bytes(
        [*packages(3), package("52000001", nama_satker="Dinas Perhubungan", pagu="1000",
                               metode_pengadaan="Pengadaan Langsung")]))
    login.logout()
    login("pj.dinkes")
    own = client.get(f"{LIST}?tahun=2026").get_data(as_text=True)
    assert own.count('data-testid="package-row"') == 3 and 'id="f-opd"' not in own
    login.logout()
    login("kepala")
    every = client.get(f"{LIST}?tahun=2026").get_data(as_text=True)
    assert every.count('data-testid="package-row"') == 4
    direct = client.get(f"{LIST}?tahun=2026&metode=Pengadaan+Langsung").get_data(as_text=True)
    assert direct.count('data-testid="package-row"') == 1 and "Rp1.000" in direct
    searched = client.get(f"{LIST}?tahun=2026&q=nomor+2").get_data(as_text=True)
    assert searched.count('data-testid="package-row"') == 1
    lenient = client.get(f"{LIST}?tahun=abc&page=-3&opd=x&metode=Lelang")
    assert lenient.status_code == 200  # a hand-edited address still shows a page


def test_people_who_may_read_no_packages_get_no_link(client, login):
    login("tim1")
    assert 'data-testid="nav-packages"' in client.get("/").get_data(as_text=True)
