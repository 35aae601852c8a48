#!/usr/bin/env bash
# The project's test command (README, .ci/run and the docker "tests" service).
#
# Tier 1, engine: plain-Python tests under tests/, on any machine.
# Tier 2, odoo:   wherever `import odoo` works (ODOO_PYTHON, ./.venv, ./venv or
#                 python3), a fresh database on PostgreSQL, every addon of this
#                 repository installed and its Odoo tests run (odoo-bin --test-enable).
# Ends with one line naming the tiers that ran and the total counts
# ("engine+odoo: N passed, N failed, N skipped"); exits non-zero
# on any failure.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$ROOT"
RESULTS=${TEST_RESULTS_DIR:-$ROOT/test-results}
mkdir -p "$RESULTS"
PY=${PYTHON:-python3}

say() { printf '%s\n' "$*" >&2; }

# --- engine tier ------------------------------------------------------------
if ! "$PY" -c "import pytest, pandas, numpy, pyarrow, requests, lightgbm, prophet, phonenumbers" >/dev/null 2>&1; then
    say "installing the engine tier's test requirements"
    "$PY" -m pip install -q -r requirements-test.txt \
        || "$PY" -m pip install -q --user --break-system-packages -r requirements-test.txt \
        || { say "could not install requirements-test.txt"; exit 2; }
fi
"$PY" -m pytest tests -q -p no:cacheprovider --junitxml="$RESULTS/engine.xml"
engine_rc=$?
read -r e_pass e_fail e_skip < <("$PY" - "$RESULTS/engine.xml" <<'PYEOF'
import sys
import xml.etree.ElementTree as ET
try:
    root = ET.parse(sys.argv[1]).getroot()
except (OSError, ET.ParseError):
    print(0, 1, 0)
    raise SystemExit
suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
tests = sum(int(s.get("tests", 0)) for s in suites)
failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
skipped = sum(int(s.get("skipped", 0)) for s in suites)
print(tests - failed - skipped, failed, skipped)
PYEOF
)
if [ "$engine_rc" -ne 0 ] && [ "$e_fail" -eq 0 ]; then e_fail=1; fi
summary="engine ($e_pass passed, $e_fail failed, $e_skip skipped)"
tiers=engine
total_pass=$e_pass total_fail=$e_fail total_skip=$e_skip

# --- odoo tier --------------------------------------------------------------
find_odoo_python() {
    local candidate
    for candidate in "${ODOO_PYTHON:-}" "$ROOT/.venv/bin/python" "$ROOT/venv/bin/python" python3; do
        [ -n "$candidate" ] || continue
        if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c "import odoo" >/dev/null 2>&1; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

ensure_postgres() {
    # Use the server PG* variables point at; else start a local cluster.
    if pg_isready -q 2>/dev/null; then return 0; fi
    if [ -z "${PGHOST:-}" ] && command -v pg_lsclusters >/dev/null 2>&1; then
        local version cluster
        read -r version cluster _ < <(pg_lsclusters --no-header | head -n 1)
        if [ -n "${version:-}" ]; then
            pg_ctlcluster "$version" "$cluster" start >/dev/null 2>&1 || true
            for _ in $(seq 1 30); do pg_isready -q && break; sleep 1; done
            if [ "$(id -u)" = 0 ] && ! psql -d postgres -Atc 'select 1' >/dev/null 2>&1; then
                su postgres -c "createuser -s $(id -un)" >/dev/null 2>&1 || true
            fi
        fi
    fi
    pg_isready -q
}

odoo_py=$(find_odoo_python || true)
if [ -n "$odoo_py" ]; then
    if ! ensure_postgres; then
        say "odoo tier: no PostgreSQL reachable"
        summary="$summary, odoo (0 passed, 1 failed, 0 skipped: no PostgreSQL)"
        tiers=engine+odoo
        total_fail=$((total_fail + 1))
    else
        odoo_src=$("$odoo_py" -c "import odoo, os; print(os.path.dirname(os.path.dirname(odoo.__file__)))")
        odoo_bin=${ODOO_BIN:-$odoo_src/odoo-bin}
        [ -e "$odoo_bin" ] || odoo_bin=$(command -v odoo || echo "$odoo_src/odoo-bin")
        addons_path="$ROOT"
        [ -d "$odoo_src/addons" ] && addons_path="$odoo_src/addons,$addons_path"
        modules=$(for m in */__manifest__.py; do dirname "$m"; done | paste -sd, -)
        db="pos_ai_test_$(date +%s)_$$"
        port=$("$odoo_py" -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
        say "odoo tier: $odoo_py, database $db, modules $modules"
        # shellcheck disable=SC2086 # ODOO_DB_ARGS holds several options
        "$odoo_py" "$odoo_bin" -d "$db" --addons-path="$addons_path" -i "$modules" \
            --test-enable --test-tags="${ODOO_TEST_TAGS:-$(echo "/$modules" | sed 's|,|,/|g')}" \
            --stop-after-init --http-port="$port" --http-interface=127.0.0.1 \
            --max-cron-threads=0 --log-level=info ${ODOO_DB_ARGS:-} >"$RESULTS/odoo.log" 2>&1
        odoo_rc=$?
        read -r o_pass o_fail o_skip < <("$PY" - "$RESULTS/odoo.log" "$odoo_rc" <<'PYEOF'
import re
import sys
log = open(sys.argv[1], encoding="utf-8", errors="replace").read()
summary = re.findall(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests when loading database", log)
skipped = len(re.findall(r" INFO \S+ \S+: skipped ", log))
if not summary:
    print(0, 1, skipped)
    raise SystemExit
failed, errors, run = map(int, summary[-1])
# An ERROR/CRITICAL line outside the tests (install, data, views) fails the tier too.
stray = len(re.findall(r"^\S+ \S+ \d+ (?:ERROR|CRITICAL) ", log, re.M))
bad = failed + errors
if stray and not bad:
    bad = 1
if int(sys.argv[2]) != 0 and not bad:
    bad = 1
print(max(run - failed - errors - skipped, 0), bad, skipped)
PYEOF
)
        if [ "${KEEP_TEST_DB:-0}" != 1 ]; then dropdb --if-exists "$db" >/dev/null 2>&1 || true; fi
        if [ "$o_fail" -ne 0 ]; then
            say "odoo tier failed; failing lines of $RESULTS/odoo.log:"
            grep -E " (ERROR|CRITICAL) |^(FAIL|ERROR):|Traceback" "$RESULTS/odoo.log" | head -n 60 >&2
        fi
        summary="$summary, odoo ($o_pass passed, $o_fail failed, $o_skip skipped)"
        tiers=engine+odoo
        total_pass=$((total_pass + o_pass)) total_fail=$((total_fail + o_fail)) total_skip=$((total_skip + o_skip))
    fi
else
    summary="$summary; odoo tier not run (no interpreter here can import odoo)"
fi

echo "by tier: $summary"
echo "$tiers: $total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" -eq 0 ]
