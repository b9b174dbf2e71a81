"""The files that serve a lecture hall (Dockerfile, deploy/compose.yaml, deploy/nginx.conf,
deploy/k8s/) agree with each other and with the app, without Docker or a cluster: they are parsed
(YAML with PyYAML, the Dockerfile and nginx.conf as text) and their ports, paths and health checks
compared; nginx's own ``nginx -t`` checks nginx.conf where nginx is installed."""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

from gdviz import classroom_routes  # the class's long poll and its largest message
from test_classroom import redis_url  # noqa: F401  (the fixture: a redis-server on a free port)

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
HEALTH = "/_stcore/health"  # Streamlit's health endpoint
STREAM = "/_stcore/stream"  # Streamlit's websocket


def app_port() -> int:
    """The port the app serves on: .streamlit/config.toml's server.port, else Streamlit's 8501."""
    config = ROOT / ".streamlit" / "config.toml"
    settings = tomllib.loads(config.read_text()) if config.exists() else {}
    return int(settings.get("server", {}).get("port", 8501))


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def instructions(name: str) -> list[str]:
    return [rest for word, rest in dockerfile() if word == name]


def nginx_conf() -> str:
    return re.sub(r"#[^\n]*", "", (DEPLOY / "nginx.conf").read_text())


def block(text: str, head: str) -> str:
    """The body of the first ``head { ... }`` block (braces balanced)."""
    start = re.search(re.escape(head) + r"\s*\{", text)
    assert start, f"nginx.conf has no '{head}' block"
    depth, i = 1, start.end()
    while depth:
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        i += 1
    return text[start.end():i - 1]


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def k8s(name: str = "gdviz") -> dict:
    """The objects named ``name`` in deploy/k8s/ by kind (the app's, or its Redis's: "gdviz-redis")."""
    docs = [doc for path in sorted((DEPLOY / "k8s").glob("*.yaml")) for doc in yaml.safe_load_all(path.read_text())
            if doc and doc["metadata"]["name"] == name]
    kinds = {doc["kind"]: doc for doc in docs}
    assert len(kinds) == len(docs), "one object of each kind"
    return kinds


def test_the_image_is_slim_pinned_and_runs_the_app_as_a_user_on_its_port():
    (base,) = instructions("FROM")
    assert re.fullmatch(r"python:\d+\.\d+\.\d+-slim(-\w+)?(@sha256:[0-9a-f]{64})?", base), \
        f"base image {base} is not a pinned slim Python"
    assert "COPY requirements.txt requirements.lock ./" in [f"COPY {rest}" for rest in instructions("COPY")]
    assert any("pip install" in run and "--require-hashes" in run and "-r requirements.lock" in run
               for run in instructions("RUN"))
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[\w.]+", line.strip()), f"requirements.txt: {line} is not pinned"
    copied = {rest.split()[0] for rest in instructions("COPY")}
    assert {"app.py", "gdviz", ".streamlit"} <= copied
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert not {"app.py", "gdviz", ".streamlit", "requirements.txt", "requirements.lock"} & set(ignored)
    words = [word for word, _ in dockerfile()]
    (user,) = instructions("USER")
    assert user not in ("root", "0") and words.index("USER") < words.index("CMD")
    assert instructions("EXPOSE") == [str(app_port())]
    (health,) = instructions("HEALTHCHECK")
    assert f"127.0.0.1:{app_port()}{HEALTH}" in health
    (cmd,) = instructions("CMD")
    cmd = " ".join(eval(cmd)) if cmd.startswith("[") else cmd  # JSON form: a list of strings
    assert "streamlit run app.py" in cmd and f"--server.port={app_port()}" in cmd
    assert "--server.headless=true" in cmd and "--server.address=0.0.0.0" in cmd


def test_compose_runs_replicas_behind_nginx_on_the_ports_and_health_check_of_the_app():
    services = compose()["services"]
    app, proxy = services["app"], services["proxy"]
    assert (DEPLOY / app["build"]["context"] / app["build"]["dockerfile"]).resolve() == ROOT / "Dockerfile"
    assert re.fullmatch(r"\$\{GDVIZ_REPLICAS:-[2-9]\}|[2-9]", str(app["deploy"]["replicas"]))
    assert app["expose"] == [str(app_port())] and "ports" not in app  # only nginx faces the hall
    check = " ".join(app["healthcheck"]["test"])
    assert f"127.0.0.1:{app_port()}{HEALTH}" in check
    assert check == " ".join(["CMD"] + eval(instructions("HEALTHCHECK")[0].split("CMD", 1)[1].strip()))
    assert re.fullmatch(r"nginx:\d+\.\d+[\w.-]*(@sha256:[0-9a-f]{64})?", proxy["image"])
    mount_from, mount_to = proxy["volumes"][0].split(":")[:2]
    assert (DEPLOY / mount_from).resolve() == DEPLOY / "nginx.conf" and mount_to == "/etc/nginx/nginx.conf"
    assert proxy["depends_on"]["app"]["condition"] == "service_healthy"
    (published,) = proxy["ports"]
    listen = re.search(r"listen\s+(\d+)\s*;", block(nginx_conf(), "server")).group(1)
    assert published.split(":")[-1] == listen


def test_nginx_pins_each_browser_to_a_replica_and_upgrades_the_websocket():
    conf = nginx_conf()
    upstream = block(conf, "upstream gdviz")
    servers = re.findall(r"server\s+(\S+?)\s*;", upstream)
    assert servers == [f"app:{app_port()}"]  # compose's service name and the app's port
    assert re.search(r"^\s*(ip_hash|hash\s+\$\S+\s+consistent)\s*;", upstream, re.M), "no sticky sessions"
    assert "$cookie_gdviz_route" in conf and "add_header Set-Cookie $gdviz_route_cookie" in conf
    stream = block(conf, f"location {STREAM}")
    assert "proxy_pass http://gdviz;" in stream and "proxy_http_version 1.1;" in stream
    assert "proxy_set_header Upgrade $http_upgrade;" in stream
    assert re.search(r"proxy_set_header Connection (\$connection_upgrade|\"upgrade\")", stream)
    assert int(re.search(r"proxy_read_timeout (\d+)s", stream).group(1)) >= 600  # a lecture, not a minute
    assert "proxy_pass http://gdviz;" in block(conf, f"location = {HEALTH}")
    body = int(re.search(r"client_max_body_size (\d+)m;", conf).group(1))
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert body >= config["server"]["maxUploadSize"]


def loopback_conf(port: int, upstreams: list[int], text: str | None = None) -> str:
    """deploy/nginx.conf with its compose service replaced by loopback replicas (the name 'app'
    resolves only inside compose) and listening on 127.0.0.1:port. Used by bench_hall.py too."""
    text = text if text is not None else (DEPLOY / "nginx.conf").read_text()
    servers = " ".join(f"server 127.0.0.1:{p};" for p in upstreams)
    text, n = re.subn(r"server\s+app:\d+\s*;", servers, text)
    assert n == 1
    text, n = re.subn(r"listen\s+\d+\s*;", f"listen 127.0.0.1:{port};", text)
    assert n == 1
    return text


NO_NGINX = shutil.which("nginx") is None and os.environ.get("GDVIZ_REQUIRE_BROWSER") != "1"  # CI installs it


@pytest.mark.skipif(NO_NGINX, reason="nginx is not installed (apt-get install -y nginx)")
def test_nginx_accepts_the_config(tmp_path):
    assert shutil.which("nginx"), "nginx is not installed: .ci/run installs it (apt-get install -y nginx)"
    conf = tmp_path / "nginx.conf"
    conf.write_text(loopback_conf(18080, [18501, 18502]))
    command = ["nginx", "-t", "-e", "stderr", "-p", str(tmp_path), "-c", str(conf),
               "-g", f"pid {tmp_path / 'nginx.pid'};"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"{shlex.join(command)}:\n{result.stderr}"
    assert "syntax is ok" in result.stderr


def test_kubernetes_probes_ports_service_and_ingress_agree():
    objects = k8s()
    assert set(objects) == {"Deployment", "Service", "Ingress"}
    deployment, service, ingress = objects["Deployment"], objects["Service"], objects["Ingress"]
    assert deployment["apiVersion"] == "apps/v1" and ingress["apiVersion"] == "networking.k8s.io/v1"
    spec = deployment["spec"]
    assert spec["replicas"] >= 2
    pod = spec["template"]
    assert spec["selector"]["matchLabels"].items() <= pod["metadata"]["labels"].items()
    (container,) = pod["spec"]["containers"]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert list(ports.values()) == [app_port()]
    for probe in ("readinessProbe", "livenessProbe"):
        get = container[probe]["httpGet"]
        assert get["path"] == HEALTH and ports.get(get["port"], get["port"]) == app_port()
    security = pod["spec"]["securityContext"]
    assert security["runAsNonRoot"] is True and str(security["runAsUser"]) == instructions("USER")[0]
    assert service["spec"]["selector"].items() <= pod["metadata"]["labels"].items()
    (service_port,) = service["spec"]["ports"]
    assert ports.get(service_port["targetPort"], service_port["targetPort"]) == app_port()
    notes = ingress["metadata"]["annotations"]
    assert notes["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    assert int(notes["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 600
    assert ingress["spec"]["ingressClassName"] == "nginx"
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == service["metadata"]["name"] == deployment["metadata"]["name"]
    assert backend["port"]["name"] == service_port["name"]
    assert ingress["spec"]["rules"][0]["http"]["paths"][0]["path"] == "/"


# ---------------------------------------------------------------- a class over Redis (issue 22)
def test_compose_keeps_a_class_in_redis_that_only_the_replicas_reach():
    services = compose()["services"]
    app, redis = services["app"], services["redis"]
    assert app["environment"]["GDVIZ_REDIS_URL"] == "redis://redis:6379/0"
    assert app["depends_on"]["redis"]["condition"] == "service_healthy"
    assert "ports" not in redis and redis["expose"] == ["6379"]  # never published to the hall
    command = redis["command"]
    assert command[:1] == ["redis-server"] and command[command.index("--save") + 1] == ""  # nothing on disk
    assert command[command.index("--appendonly") + 1] == "no"
    assert re.fullmatch(r"redis:\d+\.\d+[\w.-]*(@sha256:[0-9a-f]{64})?", redis["image"])
    assert "GDVIZ_PUBLIC_URL" in app["environment"]  # the QR code names the hall's address


def test_kubernetes_gives_every_pod_the_same_redis():
    app, redis = k8s(), k8s("gdviz-redis")
    assert set(redis) == {"Deployment", "Service"} and redis["Deployment"]["spec"]["replicas"] == 1
    (container,) = app["Deployment"]["spec"]["template"]["spec"]["containers"]
    env = {item["name"]: item["value"] for item in container["env"]}
    (port,) = redis["Service"]["spec"]["ports"]
    assert env["GDVIZ_REDIS_URL"] == f"redis://{redis['Service']['metadata']['name']}:{port['port']}/0"
    pod = redis["Deployment"]["spec"]["template"]
    assert redis["Service"]["spec"]["selector"].items() <= pod["metadata"]["labels"].items()
    (server,) = pod["spec"]["containers"]
    assert server["args"][server["args"].index("--save") + 1] == "" and "volumeClaimTemplates" not in redis["Deployment"]
    assert server["securityContext"]["readOnlyRootFilesystem"] is True and pod["spec"]["securityContext"]["runAsNonRoot"]
    assert env["GDVIZ_PUBLIC_URL"] == f"https://{app['Ingress']['spec']['rules'][0]['host']}"


def test_nginx_sends_a_class_to_any_replica_and_holds_its_long_polls():
    conf = nginx_conf()
    routes = block(conf, "location /class/")
    assert "proxy_pass http://gdviz;" in routes and "add_header" not in routes
    assert int(re.search(r"proxy_read_timeout (\d+)s", routes).group(1)) > classroom_routes.LONG_POLL
    assert "proxy_buffering off;" in routes and "proxy_set_header Host $http_host;" in routes
    assert int(re.search(r"client_max_body_size (\d+)k;", routes).group(1)) * 1024 >= classroom_routes.MAX_BODY
    start = block(conf, "location = /class/start")
    zone = re.search(r"limit_req zone=(\w+) burst=(\d+) nodelay;", start).group(1)
    assert re.search(rf"limit_req_zone \$binary_remote_addr zone={zone}:\d+m rate=\d+r/m;", conf)


# ---------------------------------------------------------------- hardening (issue 21, item 5)
def locked() -> dict[str, str]:
    """requirements.lock's pins {name: version}, each checked to carry at least one sha256 hash."""
    text = (ROOT / "requirements.lock").read_text()
    pins = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", re.sub(r"(?m)^\s*#.*\n?", "", text)):
        head = re.match(r"([A-Za-z0-9_.\-]+)==([\w.]+)", block.strip())
        if head:
            assert re.search(r"--hash=sha256:[0-9a-f]{64}", block), f"requirements.lock: {head.group(1)} has no hash"
            pins[head.group(1).lower().replace("_", "-")] = head.group(2)
    return pins


def test_the_install_is_locked_with_hashes_and_agrees_with_requirements_txt():
    pins = locked()
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            assert pins.get(name.lower()) == version, f"requirements.lock has {name} {pins.get(name.lower())}, not {version}"
    assert {"pillow", "numpy", "pandas", "streamlit", "plotly", "tornado", "pyarrow"} & set(pins) >= \
        {"pillow", "numpy", "pandas", "streamlit", "plotly", "pyarrow"}  # the transitive ones too
    assert len(pins) >= 20


def test_the_image_installs_the_fonts_the_slides_use():
    runs = " ".join(instructions("RUN"))
    assert "apt-get install" in runs and "fonts-dejavu-core" in runs and "--no-install-recommends" in runs
    assert "rm -rf /var/lib/apt/lists" in runs


def test_the_images_are_named_by_tag_and_digest_where_known_and_the_readme_says_how_to_refresh():
    readme = (ROOT / "README.md").read_text()
    assert "Refreshing the pins" in readme and "imagetools inspect" in readme and "pip-compile --generate-hashes" in readme
    images = [instructions("FROM")[0], compose()["services"]["proxy"]["image"]]
    for image in images:  # a tag always; a digest, when given, is a whole sha256
        assert re.fullmatch(r"[\w./-]+:[\w.-]+(@sha256:[0-9a-f]{64})?", image), image


def test_nginx_sends_the_security_headers_and_limits_requests_but_not_the_websocket():
    conf = nginx_conf()
    server = block(conf, "server")
    for header in ('Content-Security-Policy "frame-ancestors \'self\'"', "X-Content-Type-Options nosniff",
                   "Referrer-Policy same-origin", "X-Frame-Options SAMEORIGIN"):
        assert f"add_header {header} always;" in server, header
    for head in (f"location {STREAM}", f"location = {HEALTH}", "location /"):
        assert "add_header" not in block(conf, head), f"{head} would drop the server's headers"
    zone = re.search(r"limit_req_zone \$binary_remote_addr zone=(\w+):\d+m rate=(\d+)r/s;", conf)
    assert zone and int(zone.group(2)) >= 50, "no generous per-address limit"
    assert "limit_req_status 429;" in conf
    limit = re.search(rf"limit_req zone={zone.group(1)} burst=(\d+) nodelay;", block(conf, "location /"))
    assert limit and int(limit.group(1)) >= 1000  # a hall behind one campus address
    assert "limit_req" not in block(conf, f"location {STREAM}")
    readme = (ROOT / "README.md").read_text()
    assert f"{zone.group(2)} requests a second" in readme and f"{int(limit.group(1)):,}" in readme


def test_the_route_cookie_is_secure_over_tls():
    conf = nginx_conf()
    secure = block(conf, 'map "$scheme:$http_x_forwarded_proto" $gdviz_cookie_secure')
    assert '"; Secure"' in secure and "https" in secure
    assert "SameSite=Lax$gdviz_cookie_secure" in conf and "HttpOnly" in conf


def test_compose_is_hardened():
    services = compose()["services"]
    for name, service in services.items():
        assert service["read_only"] is True, name
        assert any(str(t).startswith("/tmp") for t in service["tmpfs"]), name
        assert service["cap_drop"] == ["ALL"], name
        assert "no-new-privileges:true" in service["security_opt"], name
        assert not any("seccomp" in option and "unconfined" in option for option in service["security_opt"]), name
        resources = service["deploy"]["resources"]
        assert {"cpus", "memory"} <= set(resources["limits"]) and {"cpus", "memory"} <= set(resources["reservations"])
    assert set(services["proxy"].get("cap_add", [])) <= {"SETUID", "SETGID", "CHOWN"}
    assert "pid /tmp/" in " ".join(services["proxy"]["command"])


def test_kubernetes_is_hardened_and_the_ingress_serves_tls():
    objects = k8s()
    pod = objects["Deployment"]["spec"]["template"]["spec"]
    assert pod["automountServiceAccountToken"] is False
    assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
    (container,) = pod["containers"]
    security = container["securityContext"]
    assert security["readOnlyRootFilesystem"] is True and security["allowPrivilegeEscalation"] is False
    assert security["capabilities"]["drop"] == ["ALL"]
    resources = container["resources"]
    assert {"cpu", "memory"} <= set(resources["requests"]) and {"cpu", "memory"} <= set(resources["limits"])
    (mount,) = [m for m in container["volumeMounts"] if m["mountPath"] == "/tmp"]
    assert any(v["name"] == mount["name"] and "emptyDir" in v for v in pod["volumes"])
    ingress = objects["Ingress"]
    (tls,) = ingress["spec"]["tls"]
    assert ingress["spec"]["rules"][0]["host"] in tls["hosts"] and tls["secretName"]
    notes = ingress["metadata"]["annotations"]
    assert notes["nginx.ingress.kubernetes.io/ssl-redirect"] == "true"
    assert notes["nginx.ingress.kubernetes.io/session-cookie-secure"] == "true"
    assert int(notes["nginx.ingress.kubernetes.io/limit-rps"]) >= 50
    snippet = notes["nginx.ingress.kubernetes.io/configuration-snippet"]
    assert "frame-ancestors 'self'" in snippet and "nosniff" in snippet and "same-origin" in snippet


# ---------------------------------------------------------------- the real config, served
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(url, timeout=2).read().strip() == b"ok":
                return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} did not answer ok within {seconds} s")


def http(port: int, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    """(status, headers with lower-case names and every value, body) of a GET through nginx."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            status, raw, body = answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        status, raw, body = error.code, error.headers, error.read()
    out: dict[str, list[str]] = {}
    for name, value in raw.items():
        out.setdefault(name.lower(), []).append(value)
    return status, out, body


@pytest.fixture(scope="module")
def hall(tmp_path_factory, redis_url):
    """deploy/nginx.conf on loopback in front of two Streamlit processes of app.py (each answering
    with its own port in X-Upstream, added for the test) whose class rooms are in one redis-server,
    and its port."""
    if NO_NGINX:
        pytest.skip("nginx is not installed (apt-get install -y nginx)")
    folder = tmp_path_factory.mktemp("hall")
    apps = [free_port(), free_port()]
    port = free_port()
    processes = []
    try:
        for app in apps:
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
                 "--browser.gatherUsageStats", "false", "--server.address", "127.0.0.1", "--server.port", str(app),
                 "--server.fileWatcherType", "none"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                env={**os.environ, "GDVIZ_REDIS_URL": redis_url}))
        text = loopback_conf(port, apps).replace("add_header Set-Cookie $gdviz_route_cookie always;",
                                                 "add_header Set-Cookie $gdviz_route_cookie always;\n"
                                                 "        add_header X-Upstream $upstream_addr always;")
        for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            text = text.replace(f"/tmp/nginx-{name}", str(folder / f"nginx-{name}"))
        conf = folder / "nginx.conf"
        conf.write_text(text)
        processes.append(subprocess.Popen(
            ["nginx", "-e", str(folder / "error.log"), "-p", str(folder), "-c", str(conf),
             "-g", f"daemon off; pid {folder / 'nginx.pid'};"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for app in apps:
            wait_for(f"http://127.0.0.1:{app}{HEALTH}")
        wait_for(f"http://127.0.0.1:{port}{HEALTH}", 30)
        yield port
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def test_the_served_page_has_the_security_headers_and_a_route_cookie(hall):
    status, headers, body = http(hall, "/")
    assert status == 200 and b"<html" in body.lower()
    assert headers["content-security-policy"] == ["frame-ancestors 'self'"]
    assert headers["x-content-type-options"] == ["nosniff"] and headers["referrer-policy"] == ["same-origin"]
    assert headers["x-frame-options"] == ["SAMEORIGIN"]
    (cookie,) = [c for c in headers["set-cookie"] if c.startswith("gdviz_route=")]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie  # plain HTTP
    _, tls, _ = http(hall, "/", {"X-Forwarded-Proto": "https"})  # behind a TLS proxy
    assert any(c.startswith("gdviz_route=") and c.endswith("; Secure") for c in tls["set-cookie"])


def test_a_browser_keeps_its_replica_and_browsers_spread_over_both(hall):
    seen = set()
    for i in range(24):
        cookie = {"Cookie": f"gdviz_route=browser-{i}"}
        answers = {http(hall, HEALTH, cookie)[1]["x-upstream"][0] for _ in range(4)}
        assert len(answers) == 1, f"browser {i} moved between replicas: {answers}"
        again = http(hall, HEALTH, cookie)[1].get("set-cookie", [])
        assert not [c for c in again if c.startswith("gdviz_route=")]  # it has its cookie: no new one
        seen |= answers
    assert len(seen) == 2, f"every browser went to {seen}"


def test_the_websocket_is_upgraded_through_nginx(hall):
    with socket.create_connection(("127.0.0.1", hall), timeout=10) as connection:
        connection.sendall((f"GET {STREAM} HTTP/1.1\r\nHost: 127.0.0.1:{hall}\r\nUpgrade: websocket\r\n"
                            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                            "Sec-WebSocket-Version: 13\r\nCookie: gdviz_route=browser-1\r\n\r\n").encode())
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = connection.recv(4096)
            if not chunk:
                break
            answer += chunk
    head = answer.split(b"\r\n\r\n")[0].decode("latin-1")
    assert head.startswith("HTTP/1.1 101"), head
    assert "upgrade: websocket" in head.lower()
    assert "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" in head  # RFC 6455's own example


def test_any_replica_serves_any_student_of_a_class(hall):
    request = urllib.request.Request(f"http://127.0.0.1:{hall}/class/start", data=b"{}", method="POST",
                                     headers={"Content-Type": "application/json", "Cookie": "gdviz_route=lecturer"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        started = json.loads(answer.read())
    assert started["students"] == f"http://127.0.0.1:{hall}/?class={started['code']}"  # the address, port included
    seen = set()
    for i in range(12):
        status, headers, body = http(hall, f"/class/{started['code']}/state", {"Cookie": f"gdviz_route=student-{i}"})
        assert status == 200 and json.loads(body)["code"] == started["code"], body
        seen.add(headers["x-upstream"][0])
    assert len(seen) == 2, f"every student went to {seen}"

