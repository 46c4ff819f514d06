"""One API contract: every error in the shape {"error": 中文, "code": …}, framework errors included; every status
a route returns documented with that shape; the admin security scheme and the multipart body in the schema; CORS
exactly the allow-list (Gradio's own echo of localhost origins removed); and schemathesis — a tool we did not
write — finds no server error or answer that contradicts the schema."""

import shutil

import pytest
from fastapi.testclient import TestClient

from app import create_app
from qa.settings import Settings

TOKEN = "contract-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture()
def client(tmp_path):
    (tmp_path / "corpus").mkdir()
    settings = Settings(
        corpus_dir=tmp_path / "corpus",
        index_dir=tmp_path / "none",
        feedback_db=tmp_path / "f.db",
        admin_token=TOKEN,
        cors_origins=["https://portal.example.gov.cn"],
        rate_limit_per_minute=0,
    )
    with TestClient(create_app(settings)) as c:
        yield c


def _shaped(r, status: int, code: str | None = None) -> dict:
    body = r.json()
    assert r.status_code == status and set(body) >= {"error", "code"}, (r.status_code, r.text)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["error"])
    assert "detail" not in body or status == 422
    if code:
        assert body["code"] == code
    return body


def _chunks(n: int, size: int = 10_000):
    for _ in range(n):
        yield b"x" * size


def test_framework_errors_come_in_the_one_shape(client):
    _shaped(client.get("/api/nothing"), 404, "not_found")  # answered by Gradio's mounted app
    wrong_method = client.put("/api/ask")  # Gradio's mount at / takes what no route matched: 404, not 405
    _shaped(wrong_method, wrong_method.status_code)
    bad_utf8 = b'{"question": "\xff\xfe"}'
    _shaped(client.post("/api/ask", content=bad_utf8, headers={"content-type": "application/json"}), 400)
    deep = b"[" * 100_000 + b"]" * 100_000
    assert client.post("/api/ask", content=deep[:60_000], headers={"content-type": "application/json"}).status_code in (
        400,
        422,
    )
    body = _shaped(client.post("/api/ask", json={"question": 3}), 422, "invalid_request")
    assert body["detail"][0]["type"] and body["detail"][0]["loc"]


def test_too_long_questions_and_too_large_bodies(client):
    body = _shaped(client.post("/api/ask", json={"question": "老年人" * 3400}), 400, "question_too_long")
    assert body["error"].startswith("问题太长")
    # 10 MB however it arrives: declared, or chunked without a length
    _shaped(client.post("/api/ask", content=b"x" * 10_000_000, headers={"content-type": "application/json"}), 413)
    r = client.post("/api/ask", content=_chunks(1000), headers={"content-type": "application/json"})
    _shaped(r, 413, "too_large")

    def upload():  # a well-formed start of a 22 MB file, sent chunked
        yield b'--b\r\nContent-Disposition: form-data; name="files"; filename="a.txt"\r\n\r\n'
        yield from _chunks(2200)

    r = client.post(
        "/api/documents", content=upload(), headers={**AUTH, "content-type": "multipart/form-data; boundary=b"}
    )
    _shaped(r, 413, "too_large")


def test_upload_errors_say_what_was_wrong(client):
    many = [("files", (f"{i}.txt", b"x")) for i in range(21)]
    assert _shaped(client.post("/api/documents", headers=AUTH, files=many), 400, "too_many_files")["error"].startswith(
        "一次最多上传 20 个文件"
    )
    _shaped(client.post("/api/documents", headers=AUTH, data={"x": "1"}), 400, "no_files")
    _shaped(client.get("/api/documents"), 401, "unauthorized")
    _shaped(client.get("/api/jobs/0123456789ab", headers=AUTH), 404, "no_such_job")


def test_openapi_documents_every_status_security_and_the_upload_body(client):
    spec = client.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"]["adminToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "POLICYQA_ADMIN_TOKEN",
    }
    paths = spec["paths"]
    assert {"400", "413", "422", "429", "503"} <= set(paths["/api/ask"]["post"]["responses"])
    for path, method in [("/api/documents", "get"), ("/api/documents", "post"), ("/api/jobs/{job_id}", "get")]:
        op = paths[path][method]
        assert {"401", "404", "429"} <= set(op["responses"]) and op["security"] == [{"adminToken": []}]
    upload = paths["/api/documents"]["post"]
    schema = upload["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert schema["properties"]["files"]["items"]["format"] == "binary" and "413" in upload["responses"]
    error = spec["components"]["schemas"]["ErrorBody"]
    assert set(error["required"]) == {"error", "code"}


HOSTILE = ["http://localhost:3000", "http://127.0.0.1:9999", "null", "https://evil.example"]


@pytest.mark.parametrize("origin", HOSTILE)
def test_cors_echoes_no_origin_that_is_not_listed(client, origin):
    for path, method in [("/api/documents/x", "DELETE"), ("/api/ask", "POST"), ("/gradio_api/queue/join", "POST")]:
        r = client.options(path, headers={"Origin": origin, "Access-Control-Request-Method": method})
        assert not [k for k in r.headers if k.lower().startswith("access-control-")], (path, dict(r.headers))
    for path in ("/", "/gradio_api/info", "/api/health"):
        r = client.get(path, headers={"Origin": origin})
        assert not [k for k in r.headers if k.lower().startswith("access-control-")], path


def test_cors_allows_the_listed_origin_for_the_public_api_only(client):
    ok = "https://portal.example.gov.cn"
    pre = client.options("/api/ask", headers={"Origin": ok, "Access-Control-Request-Method": "POST"})
    assert pre.headers["access-control-allow-origin"] == ok and "access-control-allow-credentials" not in pre.headers
    admin = client.options("/api/documents/x", headers={"Origin": ok, "Access-Control-Request-Method": "DELETE"})
    assert "access-control-allow-origin" not in admin.headers
    r = client.post("/api/ask", json={"question": "谁牵头"}, headers={"Origin": ok})
    assert r.headers["access-control-allow-origin"] == ok  # even on the 503 of a server without index


@pytest.fixture(scope="module")
def contract_app(built_settings, tmp_path_factory):
    """The real app over a copy of the real index, admin on (the fuzzer has the token for half of its calls)."""
    root = tmp_path_factory.mktemp("contract")
    shutil.copytree(built_settings.corpus_dir, root / "corpus", ignore=shutil.ignore_patterns(".*"))
    shutil.copytree(built_settings.index_dir, root / "index", ignore=shutil.ignore_patterns(".jobs", ".build.lock"))
    settings = built_settings.model_copy(
        update={
            "corpus_dir": root / "corpus",
            "index_dir": root / "index",
            "feedback_db": root / "fb.db",
            "admin_token": TOKEN,
            "rate_limit_per_minute": 0,
        }
    )
    settings = Settings(**{**settings.model_dump(), "admin_token": TOKEN})
    app = create_app(settings)
    with TestClient(app):  # runs the lifespan: model and index loaded
        yield app


@pytest.mark.slow
def test_schemathesis_finds_no_failure(contract_app):
    """Bounded: 25 generated requests per operation, with and without the token, the four checks of the issue."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    schema = schemathesis.openapi.from_asgi("/openapi.json", contract_app)
    checks = [not_a_server_error, status_code_conformance, response_schema_conformance, content_type_conformance]
    failures, calls = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=operation.as_strategy())
        def run(case):
            nonlocal calls
            calls += 1
            headers = AUTH if calls % 2 else {}
            try:
                case.call_and_validate(checks=checks, headers=headers)
            except Exception as exc:  # a group of failures: collected, so one run reports them all
                failures.append(f"{case.method} {case.path}: {str(exc)[:400]}")

        run()
    print(f"schemathesis: {calls} calls, {len(failures)} failures")
    assert calls > 100 and not failures, "\n".join(failures[:10])
