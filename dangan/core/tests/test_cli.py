"""The ``dangan`` command as an administrator runs it: a real process, a real server, a real port."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest


def dangan(*args, env_extra=None, data_dir, timeout=120, **kwargs):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["DANGAN_DATA_DIR"] = str(data_dir)
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "dangan", *args], env=env, capture_output=True, text=True,
                          timeout=timeout, **kwargs)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url, accept="text/html"):
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers={"Accept": accept}), timeout=5) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


@pytest.fixture
def served(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["DANGAN_DATA_DIR"] = str(tmp_path)
    process = subprocess.Popen([sys.executable, "-m", "dangan", "up", "--no-demo", "--port", str(port)],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"dangan up exited early:\n{process.stdout.read()}")
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail("dangan up did not start serving within 90 s")
    yield f"http://127.0.0.1:{port}", process
    process.terminate()
    process.wait(timeout=10)


def test_up_serves_the_sign_in_page_with_a_production_server(served):
    base, _process = served
    status, headers, _body = fetch(base + "/")
    assert status == 302 and "/login/" in headers["Location"]
    status, headers, body = fetch(base + "/login/")
    assert status == 200 and "登录".encode() in body
    assert headers["Server"] == "dangan"  # waitress, not Django's development server


def test_up_serves_the_openapi_schema_as_json(served):
    base, _process = served
    status, _headers, body = fetch(base + "/api/schema/", accept="application/json")
    assert status == 200
    assert "/api/v1/items/" in json.loads(body)["paths"]


def test_up_creates_an_administrator_and_prints_the_data_folder(served, tmp_path):
    _base, process = served
    process.terminate()
    output = process.communicate(timeout=10)[0]
    assert str(tmp_path) in output and "created administrator 'admin'" in output


@pytest.mark.parametrize("name, value", [
    ("API_PAGE_SIZE", "fifty"),
    ("DEBUG", "perhaps"),
    ("DATABASE_URL", "nosuchdb://x/y"),
])
def test_a_bad_setting_stops_the_program_naming_the_variable(tmp_path, name, value):
    result = dangan("check", env_extra={name: value}, data_dir=tmp_path)
    assert result.returncode != 0
    assert name in result.stderr


def test_createadmin_refuses_a_short_password(tmp_path):
    assert dangan("migrate", "-v0", data_dir=tmp_path).returncode == 0
    result = dangan("createadmin", "--username", "boss", "--password", "short", data_dir=tmp_path)
    assert result.returncode != 0 and "8 characters" in result.stderr
