"""Container health check for the web process: GET /healthz on the local gunicorn.

Sent with a Host header Django accepts (the first of ALLOWED_HOSTS), because with
DEBUG off any other host is refused with a 400. Exit 0 when healthy, 1 otherwise.
"""

import os
import sys
import urllib.error
import urllib.request

TIMEOUT_S = 5


def allowed_host() -> str:
    hosts = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
    host = hosts[0] if hosts else "localhost"
    if host == "*":
        return "localhost"
    return host.lstrip(".")  # ".example.org" allows example.org itself


def main() -> int:
    request = urllib.request.Request(
        "http://127.0.0.1:8000/healthz", headers={"Host": allowed_host()}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            return 0 if response.status == 200 else 1
    except (urllib.error.URLError, OSError) as error:
        print(f"healthz: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
