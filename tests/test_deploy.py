"""The files that serve a lecture hall (Dockerfile, deploy/compose.yaml, deploy/nginx.conf,
deploy/k8s/) agree with each other and with the app, without Docker or a cluster: they are parsed
(YAML with PyYAML, the Dockerfile and nginx.conf as text) and their ports, paths and health checks
compared; nginx's own ``nginx -t`` checks nginx.conf where nginx is installed."""
from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

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


def k8s() -> dict:
    docs = [doc for path in sorted((DEPLOY / "k8s").glob("*.yaml")) for doc in yaml.safe_load_all(path.read_text()) if doc]
    kinds = {doc["kind"]: doc for doc in docs}
    assert len(kinds) == len(docs), "one object of each kind"
    return kinds


def test_the_image_is_slim_pinned_and_runs_the_app_as_a_user_on_its_port():
    (base,) = instructions("FROM")
    assert re.fullmatch(r"python:\d+\.\d+\.\d+-slim(-\w+)?", base), f"base image {base} is not a pinned slim Python"
    assert "COPY requirements.txt ." in [f"COPY {rest}" for rest in instructions("COPY")]
    assert any("pip install" in run and "-r requirements.txt" in run for run in instructions("RUN"))
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[\w.]+", line.strip()), f"requirements.txt: {line} is not pinned"
    copied = {rest.split()[0] for rest in instructions("COPY")}
    assert {"app.py", "gdviz", ".streamlit"} <= copied
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert not {"app.py", "gdviz", ".streamlit", "requirements.txt"} & set(ignored)
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
    assert re.fullmatch(r"nginx:\d+\.\d+[\w.-]*", proxy["image"])
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


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed (apt-get install -y nginx)")
def test_nginx_accepts_the_config(tmp_path):
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
