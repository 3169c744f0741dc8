#!/usr/bin/env python3
"""Publish a live plot to a plothost server from Python, with `requests` alone (no Bokeh needed).

    python3 examples/python/publish.py --register ana     # once: create an account, save its token
    python3 examples/python/publish.py --login ana        # or: log in, save the token
    python3 examples/python/publish.py                    # publish a public plot, stream points into it
    python3 examples/python/publish.py --logout           # revoke the saved token and forget it

The server is PLOTHOST_URL (default http://localhost:5006). The password comes from PLOTHOST_PASSWORD, else it is
asked for. Tokens are saved in the same file as the TypeScript client and the `plothost` CLI use:
~/.plothost/credentials.json (PLOTHOST_HOME moves the directory), mode 0600, as {"version": 1, "servers":
{"<url>": {"token", "username", "savedAt"}}}; PLOTHOST_TOKEN overrides it (CI). So a `plothost login` in a
terminal is enough for this script, and the other way round.

With Python Bokeh installed you would send `bokeh.embed.json_item(p)` (or `doc.to_json()`) instead of the
hand-written document below: the server takes either.
"""
import argparse
import datetime
import getpass
import json
import math
import os
import stat
import sys
import tempfile
from urllib.parse import urlsplit

import requests


def server_key(url):
    """The key a server's token is saved under: scheme://host[:port][/prefix], no trailing slash."""
    u = urlsplit(url)
    default = {"http": 80, "https": 443}.get(u.scheme)
    host = (u.hostname or "").lower()
    if ":" in host:  # IPv6, bracketed as URLs write it
        host = f"[{host}]"
    port = f":{u.port}" if u.port and u.port != default else ""
    return f"{u.scheme}://{host}{port}{u.path.rstrip('/')}"


def home_dir():
    return os.environ.get("PLOTHOST_HOME") or os.path.join(os.path.expanduser("~"), ".plothost")


def credentials_path():
    return os.path.join(home_dir(), "credentials.json")


def read_credentials():
    path = credentials_path()
    if not os.path.exists(path):
        return {"version": 1, "servers": {}}
    mode = stat.S_IMODE(os.stat(path).st_mode)
    if mode & 0o077:
        sys.exit(f"{path} can be read by other users (mode {mode:04o}). Run `chmod 600 {path}`, then log in again.")
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    data.setdefault("servers", {})
    data["version"] = 1
    return data


def write_credentials(data):
    """Atomically: a 0600 temporary file in the 0700 directory, then a rename."""
    home = home_dir()
    os.makedirs(home, mode=0o700, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=home, prefix=".credentials.", suffix=".tmp")  # mkstemp makes it 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, credentials_path())
    except BaseException:
        os.unlink(tmp)
        raise


def saved_token(url):
    if os.environ.get("PLOTHOST_TOKEN"):
        return os.environ["PLOTHOST_TOKEN"]
    entry = read_credentials()["servers"].get(server_key(url))
    return entry["token"] if entry else None


def check(resp):
    """Raises with the server's message ({"error": {"code", "message"}}) for an error response."""
    if resp.ok:
        return resp
    try:
        err = resp.json()["error"]
        sys.exit(f"plothost: {err['message']} [{err['code']}, HTTP {resp.status_code}]")
    except (ValueError, KeyError):
        sys.exit(f"plothost: HTTP {resp.status_code}: {resp.text[:200]}")


def sign_in(url, kind, username):
    password = os.environ.get("PLOTHOST_PASSWORD") or getpass.getpass(f"Password for {username}: ")
    reply = check(requests.post(f"{url}/api/v1/{kind}", json={"username": username, "password": password}, timeout=30)).json()
    data = read_credentials()
    data["servers"][server_key(url)] = {
        "token": reply["token"], "username": reply["user"]["username"],
        "savedAt": datetime.datetime.now(datetime.timezone.utc).isoformat().replace("+00:00", "Z"),
    }
    write_credentials(data)
    print(f"{'Registered and logged in' if kind == 'register' else 'Logged in'} as {reply['user']['username']}; token saved in {credentials_path()}")


def logout(url):
    token = saved_token(url)
    if token:
        resp = requests.post(f"{url}/api/v1/logout", headers={"authorization": f"Bearer {token}"}, timeout=30)
        if resp.status_code != 401:
            check(resp)
    data = read_credentials()
    if data["servers"].pop(server_key(url), None) is not None:
        write_credentials(data)
    print(f"Logged out of {url}")


def model(type_name, model_id, **attributes):
    """A Bokeh 3 model as document JSON writes it."""
    return {"type": "object", "name": type_name, "id": model_id, "attributes": attributes}


def line_plot(title, xs, ys):
    """A Bokeh 3 document with one line plot of a ColumnDataSource named "prices" (what figure().line() makes)."""
    source = model("ColumnDataSource", "py-source", name="prices",
                   data={"type": "map", "entries": [["t", xs], ["price", ys]]},
                   selected=model("Selection", "py-selection", indices=[], line_indices=[]),
                   selection_policy={"type": "object", "name": "UnionRenderers", "id": "py-policy"})
    line = model("Line", "py-line", x={"type": "field", "field": "t"}, y={"type": "field", "field": "price"},
                 line_color="#1f77b4", line_width=2)
    renderer = model("GlyphRenderer", "py-renderer", data_source=source, glyph=line)
    plot = model("Plot", "py-plot", title=model("Title", "py-title", text=title),
                 x_range={"type": "object", "name": "DataRange1d", "id": "py-xr"},
                 y_range={"type": "object", "name": "DataRange1d", "id": "py-yr"},
                 x_scale={"type": "object", "name": "LinearScale", "id": "py-xs"},
                 y_scale={"type": "object", "name": "LinearScale", "id": "py-ys"},
                 below=[model("LinearAxis", "py-xaxis", axis_label="t")],
                 left=[model("LinearAxis", "py-yaxis", axis_label="price")],
                 renderers=[renderer], width=600, height=300)
    return {"version": "3.10.0", "title": title, "roots": [plot]}


def publish_and_stream(url, points):
    token = saved_token(url)
    if not token:
        sys.exit(f"Not logged in to {url}: run with --login USER (or `plothost login --url {url}`).")
    session = requests.Session()
    session.headers["authorization"] = f"Bearer {token}"
    xs = list(range(10))
    doc = line_plot("Prices from Python", xs, [round(100 + 5 * math.sin(x / 3), 3) for x in xs])
    info = check(session.post(f"{url}/api/v1/docs", params={"name": "python-prices", "visibility": "public"},
                              json=doc, timeout=30)).json()
    print(f"Published: {info['url']}")
    print(f"Public link: {info['publicUrl']}")
    for x in range(10, 10 + points):
        # Every open viewer sees each point at once; the server keeps the last 1000 (rollover).
        check(session.post(f"{url}/api/v1/docs/{info['id']}/stream", timeout=30,
                           json={"source": "prices", "data": {"t": [x], "price": [round(100 + 5 * math.sin(x / 3), 3)]},
                                 "rollover": 1000}))
    print(f"Streamed {points} points into {info['id']}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--register", metavar="USER", help="create an account, save its token")
    group.add_argument("--login", metavar="USER", help="log in, save the token")
    group.add_argument("--logout", action="store_true", help="revoke the saved token and forget it")
    parser.add_argument("--points", type=int, default=20, help="how many points to stream (default 20)")
    args = parser.parse_args()
    url = (os.environ.get("PLOTHOST_URL") or "http://localhost:5006").rstrip("/")
    if args.register:
        sign_in(url, "register", args.register)
    elif args.login:
        sign_in(url, "login", args.login)
    elif args.logout:
        logout(url)
    else:
        publish_and_stream(url, args.points)


if __name__ == "__main__":
    main()
