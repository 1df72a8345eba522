"""``huiqi recognitions import|list|evaluate|revoke`` as a person types them: tables or --json, and a
bad input is one message with exit code 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from .pipeline import SPACE, register, write_csv


def huiqi(db_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "HUIQI_DATABASE_URL": db_url, "COLUMNS": "200"}
    code = "from huiqi.cli import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=300
    )


def test_import_list_evaluate_and_errors(engine, db_url, tmp_path):
    register(engine, tmp_path)
    rec = write_csv(
        tmp_path / "rec.csv",
        [
            {
                "entity_key": SPACE,
                "scheme": "众创空间",
                "ref": "ZC-7",
                "tier": "市",
                "granted_on": "2022年3月15日",
                "issuer": "杭州市科学技术局",
            }
        ],
    )
    done = huiqi(db_url, "recognitions", "import", str(rec), "--by", "登记员", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [{"file": str(rec), "kind": "recognitions", "inserted": 1}]

    args = ["recognitions", "evaluate", SPACE, "--scheme", "众创空间", "--ref", "ZC-7", "--year", "2022"]
    failed = huiqi(db_url, *args, "--result", "不合格", "--on", "2023-03-01", "--by", "评价机构", "--json")
    assert failed.returncode == 0, failed.stderr
    assert json.loads(failed.stdout)["effect"] == "suspend"

    listed = huiqi(db_url, "recognitions", "list", "--entity", SPACE, "--year", "2022", "--json")
    (record,) = json.loads(listed.stdout)
    assert record["standing"] == {"year": 2022, "status": "suspended (市)"}
    assert [e["result"] for e in record["evaluations"]] == ["不合格"]
    table = huiqi(db_url, "recognitions", "list", "--year", "2023")
    assert "ZC-7" in table.stdout and "市 2022-03-15" in table.stdout

    again = huiqi(db_url, *args, "--result", "优秀", "--on", "2023-03-01", "--by", "评价机构")
    assert again.returncode == 2 and "a recorded result stays" in again.stderr
    assert "Traceback" not in again.stderr
    bad = write_csv(
        tmp_path / "bad.csv", [{"entity_key": SPACE, "scheme": "众创空间", "ref": "ZC-8", "tier": "区"}]
    )
    refused = huiqi(db_url, "recognitions", "import", str(bad))
    assert refused.returncode == 2 and "bad.csv, row 2, field tier" in refused.stderr
    assert "field granted_on: required, but empty" in refused.stderr
    unknown = huiqi(db_url, "recognitions", "revoke", "NO-SUCH", "--scheme", "众创空间", "--ref", "ZC-7",
                    "--citation", "x", "--reason", "y")  # fmt: skip
    assert unknown.returncode == 2 and "no entity with key NO-SUCH" in unknown.stderr
