"""The registry over HTTP: an official imports files by upload; officials, finance and audit list and
read; an enterprise user reads only its own enterprise; a bad file is a 422 naming every bad row, nothing
written."""

from __future__ import annotations

import pytest

from huiqi.redemption import demo_data

# The conftest's enterprise accounts are bound to these codes.
ENTERPRISE_A = "91330108MA27Y5XH14"
ENTERPRISE_B = "91330108MA2CFQ8R04"

ROLES_WHO_LIST = ("kejiju", "finance", "audit")
ROLES_REFUSED_LIST = ("admin", "firm-a")


def _files(tmp_path) -> dict[str, bytes]:
    paths = demo_data.write(tmp_path / "registry")
    files = {p.name: p.read_bytes() for p in paths if p.name != "paid_2022.csv"}
    # firm-a and firm-b (the conftest's enterprise accounts) are registered too, so each can ask for itself.
    files["entities.csv"] += (
        f"enterprise,企业甲,{ENTERPRISE_A},信息技术,滨江区,2018-01-01\r\n"
        f"enterprise,企业乙,{ENTERPRISE_B},新材料,滨江区,2019-01-01\r\n"
    ).encode()
    return files


def _upload(client, headers, files: dict[str, bytes]):
    return client.post(
        "/api/v1/registry/imports",
        headers=headers,
        files=[("files", (name, content, "text/csv")) for name, content in files.items()],
    )


@pytest.fixture(scope="module")
def imported(client, login, tmp_path_factory):
    """The demo registry (12 enterprises) plus firm-a and firm-b, imported by the official through the API."""
    files = _files(tmp_path_factory.mktemp("upload"))
    r = _upload(client, login("kejiju"), files)
    assert r.status_code == 201, r.text
    return {"files": files, "answer": r.json()}


def test_an_official_imports_by_upload_and_the_import_is_audited(client, login, imported):
    by_file = {f["file"]: f for f in imported["answer"]["files"]}
    assert by_file["entities.csv"]["inserted"] == 14 and by_file["entities.csv"]["kind"] == "entities"
    assert by_file["yearly.csv"]["inserted"] == 24  # 12 enterprises × 2022, 2023
    assert by_file["events.csv"]["inserted"] > 3
    log = client.get("/api/v1/audit?action=registry.import", headers=login("audit")).json()
    assert {e["subject"] for e in log["entries"]} == {
        "file:entities.csv",
        "file:yearly.csv",
        "file:events.csv",
    }
    assert {e["actor"] for e in log["entries"]} == {"kejiju"}


def test_importing_the_same_files_again_changes_nothing(client, login, imported):
    again = _upload(client, login("kejiju"), imported["files"])
    assert again.status_code == 201
    assert all(f["inserted"] == 0 and f["updated"] == 0 for f in again.json()["files"])


def test_a_bad_row_refuses_the_whole_import_with_every_problem_named(client, login, imported):
    h = login("kejiju")
    before = client.get("/api/v1/registry/entities", headers=h).json()["total"]
    bad = (
        "kind,name,credit_code,industry\r\n"
        "enterprise,新企业丙,91330108MA2GOOD000,信息技术\r\n"  # a wrong check digit
        "enterprise,,91330108MA27Y5XH14,信息技术\r\n"  # no name
    ).encode()
    r = _upload(client, h, {"new.csv": bad})
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "invalid" and "未写入任何数据" in body["detail"]
    fields = [e["field"] for e in body["errors"]]
    assert any(f.startswith("new.csv, row 2, credit_code") for f in fields), fields
    assert any(f.startswith("new.csv, row 3, name") for f in fields), fields
    assert "huiqi-import-" not in r.text  # the server's temporary folder is never shown
    assert client.get("/api/v1/registry/entities", headers=h).json()["total"] == before


def test_a_file_that_is_not_a_table_is_a_422(client, login):
    h = login("kejiju")
    r = _upload(client, h, {"notes.txt": b"hello"})
    assert r.status_code == 422 and ".csv" in r.json()["detail"]
    r = _upload(client, h, {"entities.xlsx": b"not a workbook"})
    assert r.status_code == 422 and "entities.xlsx" in r.json()["detail"]


@pytest.mark.parametrize("who", ["finance", "audit", "admin", "firm-a"])
def test_only_an_official_may_import(client, login, who, tmp_path):
    r = _upload(client, login(who), _files(tmp_path))
    assert r.status_code == 403 and r.json()["code"] == "forbidden"


def test_importing_needs_a_login(client, tmp_path):
    assert _upload(client, {}, _files(tmp_path)).status_code == 401


@pytest.mark.parametrize("who", ROLES_WHO_LIST)
def test_officials_finance_and_audit_list_and_search(client, login, imported, who):
    h = login(who)
    page = client.get("/api/v1/registry/entities?limit=5", headers=h).json()
    assert page["total"] == 14 and len(page["entities"]) == 5 and page["limit"] == 5
    rest = client.get("/api/v1/registry/entities?limit=5&offset=10", headers=h).json()
    assert len(rest["entities"]) == 4
    keys = {e["key"] for e in page["entities"]} | {e["key"] for e in rest["entities"]}
    assert len(keys) == 9  # pages do not overlap
    found = client.get("/api/v1/registry/entities", params={"q": "示例03"}, headers=h).json()
    assert [e["key"] for e in found["entities"]] == [demo_data.credit_code(3)]
    by_code = client.get("/api/v1/registry/entities", params={"q": ENTERPRISE_A[:12]}, headers=h).json()
    assert [e["name"] for e in by_code["entities"]] == ["企业甲"]
    none = client.get("/api/v1/registry/entities", params={"kind": "talent"}, headers=h).json()
    assert none["total"] == 0
    literal = client.get("/api/v1/registry/entities", params={"q": "%"}, headers=h).json()
    assert literal["total"] == 0  # % is a character to find, not a wildcard


@pytest.mark.parametrize("who", ROLES_REFUSED_LIST)
def test_an_enterprise_and_the_admin_cannot_list(client, login, imported, who):
    r = client.get("/api/v1/registry/entities", headers=login(who))
    assert r.status_code == 403
    assert "示例" not in r.text and ENTERPRISE_B not in r.text


def test_one_entity_with_its_facts_events_and_titles(client, login, imported):
    r = client.get(f"/api/v1/registry/entities/{demo_data.credit_code(1)}", headers=login("finance"))
    assert r.status_code == 200
    e = r.json()
    assert e["name"] == "杭州示例01科技有限公司" and e["kind_zh"] == "企业"
    assert [(t["date"], t["title"], t["level"]) for t in e["titles"]] == [
        ("2023-07-20", "专精特新小巨人", "国家"),
        ("2022-06-15", "专精特新中小企业", "省"),
    ]
    assert [y["year"] for y in e["years"]] == [2023, 2022]
    facts = {f["name"]: f for f in e["years"][0]["facts"]}
    assert facts["is_fiscal_revenue_in_district"]["display"] == "是"
    assert facts["rd_expense_fen"]["value"] % 100_000 == 0 and facts["rd_expense_fen"]["display"].endswith(
        "元"
    )
    assert facts["rd_expense_fen"]["label"] == "研发投入（研发费用）"  # the vocabulary's label
    assert {a["name"] for a in e["attributes"]} >= {"industry", "district"}


def test_an_enterprise_reads_its_own_entity_only(client, login, imported):
    h = login("firm-a")
    own = client.get(f"/api/v1/registry/entities/{ENTERPRISE_A}", headers=h)
    assert own.status_code == 200 and own.json()["name"] == "企业甲"
    other = client.get(f"/api/v1/registry/entities/{ENTERPRISE_B}", headers=h)
    missing = client.get("/api/v1/registry/entities/91330108MA2CFQ8R99", headers=h)
    # Refused before the lookup: the same answer whether the other key exists or not.
    assert other.status_code == missing.status_code == 403
    assert other.json() == missing.json()
    assert "企业乙" not in other.text


def test_an_unknown_entity_is_a_404_for_those_who_may_read_it(client, login, imported):
    r = client.get("/api/v1/registry/entities/nobody", headers=login("kejiju"))
    assert r.status_code == 404 and "nobody" in r.json()["detail"]
    assert client.get(f"/api/v1/registry/entities/{ENTERPRISE_A}").status_code == 401
    assert client.get(f"/api/v1/registry/entities/{ENTERPRISE_A}", headers=login("admin")).status_code == 403
