#!/usr/bin/env bash
# Makes sure the system pieces plothost's tests and gateway rely on are present and running:
#   bubblewrap (worker sandbox), python3-seccomp (compiles the sandbox's syscall filter), chromium (browser tests),
#   python3-requests (runs examples/python/publish.py in the tests),
#   Redis on 127.0.0.1:6379, PostgreSQL on 127.0.0.1:5432.
# Idempotent and quiet: one summary line when nothing is needed (well under a second). As root with apt-get it
# installs what is missing (one `apt-get update`, only when something is missing); otherwise it prints what is
# missing and how to install it, and exits 0 so the tests that need it fail with their own clear message.
set -uo pipefail
# apt, dpkg's maintainer scripts and pg_ctlcluster expect the standard system dirs even when the caller's PATH
# is minimal.
export PATH="${PATH:+$PATH:}/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

APT_LOG="${TMPDIR:-/tmp}/plothost-apt.log"
done_notes=()
problems=()
apt_updated=0

have() { command -v "$1" >/dev/null 2>&1; }
is_root() { [ "$(id -u)" -eq 0 ]; }
can_apt() { is_root && have apt-get; }

# apt_install PKG...: quiet install, `apt-get update` at most once per run; the log keeps the details.
apt_install() {
  if [ "$apt_updated" -eq 0 ]; then
    apt-get update -qq >>"$APT_LOG" 2>&1 || { problems+=("apt-get update failed (see $APT_LOG)"); return 1; }
    apt_updated=1
  fi
  if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >>"$APT_LOG" 2>&1; then
    done_notes+=("installed $*")
  else
    problems+=("apt-get install $* failed (see $APT_LOG)")
    return 1
  fi
}

# answering PORT: something accepts TCP connections on 127.0.0.1:PORT (bounded to 1 s).
answering() { timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# wait_answering PORT: up to 10 s for a service we just started.
wait_answering() {
  local i
  for ((i = 0; i < 100; i++)); do
    answering "$1" && return 0
    sleep 0.1
  done
  return 1
}

# --- bubblewrap, python3-seccomp and chromium ---------------------------------------------------------------
# The gateway compiles its seccomp filter with Debian's Python and its libseccomp binding (a pyenv or /usr/local
# Python on PATH does not have it), so check that interpreter itself.
has_seccomp_binding() { [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import seccomp' >/dev/null 2>&1; }
# The Python example needs `requests` in the python3 on PATH or in Debian's; the test uses whichever has it.
has_requests() {
  { have python3 && python3 -c 'import requests' >/dev/null 2>&1; } ||
    { [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import requests' >/dev/null 2>&1; }
}
missing_pkgs=()
have bwrap || missing_pkgs+=(bubblewrap)
has_seccomp_binding || missing_pkgs+=(python3-seccomp)
has_requests || missing_pkgs+=(python3-requests)
have chromium || missing_pkgs+=(chromium)
if [ "${#missing_pkgs[@]}" -gt 0 ]; then
  if can_apt; then
    apt_install "${missing_pkgs[@]}"
  else
    problems+=("missing ${missing_pkgs[*]}: install with \`sudo apt-get install -y ${missing_pkgs[*]}\` (bubblewrap sandboxes workers; python3-seccomp builds their syscall filter; chromium runs the browser tests; python3-requests runs the Python example)")
  fi
fi

# --- Redis ----------------------------------------------------------------------------------------------------
if ! answering 6379; then
  if ! have redis-server && can_apt; then apt_install redis-server; fi
  if answering 6379; then
    : # the package's own start script brought it up
  elif have redis-server; then
    if redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null 2>&1 &&
      wait_answering 6379; then
      done_notes+=("started redis")
    else
      problems+=("redis-server did not start on 127.0.0.1:6379")
    fi
  else
    problems+=("Redis is not running on 127.0.0.1:6379: install it with \`sudo apt-get install -y redis-server\`")
  fi
fi

# --- PostgreSQL ---------------------------------------------------------------------------------------------
pg_answering() {
  if have pg_isready; then pg_isready -h 127.0.0.1 -p 5432 -q -t 1; else answering 5432; fi
}
if ! pg_answering; then
  if ! have pg_ctlcluster && can_apt; then apt_install postgresql; fi
  if pg_answering; then
    :
  elif have pg_ctlcluster && [ -d /etc/postgresql ]; then
    version="$(ls /etc/postgresql | sort -V | tail -n 1)"
    if [ -n "$version" ] && pg_ctlcluster --skip-systemctl-redirect "$version" main start >/dev/null 2>&1 &&
      wait_answering 5432; then
      done_notes+=("started postgresql $version")
    else
      problems+=("PostgreSQL ${version:-?} did not start: try \`sudo pg_ctlcluster --skip-systemctl-redirect ${version:-VERSION} main start\`")
    fi
  else
    problems+=("PostgreSQL is not running on 127.0.0.1:5432: install it with \`sudo apt-get install -y postgresql\`")
  fi
fi

# --- summary --------------------------------------------------------------------------------------------------
if [ "${#done_notes[@]}" -eq 0 ] && [ "${#problems[@]}" -eq 0 ]; then
  echo "system deps: ok (bubblewrap, python3-seccomp, python3-requests, chromium, redis :6379, postgresql :5432)"
else
  [ "${#done_notes[@]}" -gt 0 ] && echo "system deps: $(IFS=';'; echo "${done_notes[*]}" | sed 's/;/; /g')"
  for p in "${problems[@]}"; do echo "system deps: MISSING: $p" >&2; done
fi
exit 0
