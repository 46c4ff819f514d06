"""`policyqa ask` through a running server: used only when it serves the same index version, else local."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from qa import remote


class FakeServer:
    """A stand-in for `policyqa serve`: /api/health names an index version, /api/ask answers or refuses."""

    def __init__(self, version: str, ask_status: int = 200):
        self.version, self.ask_status, self.asked = version, ask_status, []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, body: dict):
                data = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._send(200, {"status": "ok", "index_version": outer.version})

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.asked.append(body)
                if outer.ask_status != 200:
                    self._send(outer.ask_status, {"error": "请输入问题。"})
                    return
                self._send(200, {"question": body["question"], "answer": None, "no_answer": True, "passages": []})

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def index_dir(tmp_path):
    (tmp_path / "CURRENT").write_text("v-20260101-000000-000001\n")
    return tmp_path


def test_server_with_the_same_index_is_used(index_dir):
    with FakeServer("v-20260101-000000-000001") as server:
        route = remote.find_server(server.url, index_dir)
        assert route.url == server.url and "via server" in route.describe()
        assert remote.ask(route.url, "湖南流动科技馆要巡展几站？", 3)["question"] == "湖南流动科技馆要巡展几站？"
        assert server.asked == [{"question": "湖南流动科技馆要巡展几站？", "k": 3}]


def test_server_with_another_index_is_not_used(index_dir):
    with FakeServer("v-20250101-000000-000001") as server:
        route = remote.find_server(server.url, index_dir)
    assert route.url is None and "serves index v-2025" in route.reason


def test_no_server_means_local(index_dir):
    with FakeServer("x") as server:
        url = server.url
    route = remote.find_server(url, index_dir)  # shut down: the port refuses
    assert route.url is None and "no server" in route.describe()


def test_refusal_carries_the_servers_chinese_message(index_dir):
    with FakeServer("v-20260101-000000-000001", ask_status=400) as server, pytest.raises(remote.RemoteError) as err:
        remote.ask(server.url, " ", None)
    assert err.value.status == 400 and err.value.message_zh == "请输入问题。"


def test_cli_answers_through_the_server_and_says_so(index_dir):
    from click.testing import CliRunner

    from qa.cli import main

    with FakeServer("v-20260101-000000-000001") as server:
        result = CliRunner().invoke(
            main, ["--index", str(index_dir), "ask", "广东省科协现在的主席是谁", "--server", server.url]
        )
    assert result.exit_code == 0, result.output
    assert "文件中没有找到相关内容" in result.output and f"via server {server.url}" in result.output


def test_cli_falls_back_to_local_when_the_server_serves_another_index(index_dir):
    from click.testing import CliRunner

    from qa.cli import main

    with FakeServer("v-other") as server:
        result = CliRunner().invoke(main, ["--index", str(index_dir), "ask", "问题", "--server", server.url])
    assert not server.asked  # never asked: its answers would come from another index
    assert result.exit_code == 1 and "policyqa build" in result.output  # the local load found no real index here
