#!/usr/bin/env bash
# The project's test command (README, .ci/run and the docker "tests" service).
#
# Tier 1, engine: plain-Python tests under tests/, on any machine.
# Tier 2, odoo:   wherever `import odoo` works (ODOO_PYTHON, ./.venv, ./venv or
#                 python3), a fresh database on PostgreSQL, every addon of this
#                 repository installed with odoo-bin (demo data on), then their Odoo
#                 tests (TransactionCase, HttpCase, browser tours) run through
#                 pytest-odoo on that database.
# Each tier writes a junit file; both are merged into $RESULTS/junit.xml.
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

# Sum a junit file: "passed failed skipped" (a missing or broken file is one failure).
junit_counts() {
    "$PY" - "$1" <<'PYEOF'
import sys
import xml.etree.ElementTree as ET
try:
    root = ET.parse(sys.argv[1]).getroot()
except (OSError, ET.ParseError):
    print(0, 1, 0)
    raise SystemExit
# Count test cases, not the suite's "tests" attribute (pytest adds subtests to it).
outcome = {"failure": "failed", "error": "failed", "skipped": "skipped"}
counts = {"passed": 0, "failed": 0, "skipped": 0}
for case in root.iter("testcase"):
    kinds = [outcome[child.tag] for child in case if child.tag in outcome]
    counts["failed" if "failed" in kinds else kinds[0] if kinds else "passed"] += 1
print(counts["passed"], counts["failed"], counts["skipped"])
PYEOF
}

# pip install into an interpreter, also where the system Python is PEP 668 managed.
pip_install() {
    local py=$1
    shift
    "$py" -m pip install -q "$@" 2>/dev/null \
        || "$py" -m pip install -q --user --break-system-packages "$@" \
        || "$py" -m pip install -q --break-system-packages "$@"
}

# --- engine tier ------------------------------------------------------------
if ! "$PY" -c "import pytest, pandas, numpy, pyarrow, requests, lightgbm, prophet, phonenumbers, dateparser, mailparser_reply" >/dev/null 2>&1; then
    say "installing the engine tier's test requirements"
    pip_install "$PY" -r requirements-test.txt || { say "could not install requirements-test.txt"; exit 2; }
fi
# -p no:odoo: where pytest-odoo is installed in the same interpreter (the
# docker image), it would otherwise ask every engine test for a database.
"$PY" -m pytest tests -q -p no:cacheprovider -p no:odoo --junitxml="$RESULTS/engine.xml"
engine_rc=$?
read -r e_pass e_fail e_skip < <(junit_counts "$RESULTS/engine.xml")
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
        # 1. Install every addon into a fresh database (with demo data), as a
        #    user would; any ERROR/CRITICAL line of the install fails the tier.
        # shellcheck disable=SC2086 # ODOO_DB_ARGS holds several options
        "$odoo_py" "$odoo_bin" -d "$db" --addons-path="$addons_path" -i "$modules" \
            --stop-after-init --http-port="$port" --http-interface=127.0.0.1 \
            --max-cron-threads=0 --log-level=warn ${ODOO_DB_ARGS:-} >"$RESULTS/odoo-install.log" 2>&1
        install_rc=$?
        install_errors=$(grep -cE "^\S+ \S+ [0-9]+ (ERROR|CRITICAL) " "$RESULTS/odoo-install.log")
        # 2. Run the addons' Odoo tests (TransactionCase, HttpCase over real
        #    HTTP, browser tours) through pytest-odoo on that database.
        if ! "$odoo_py" -c "import pytest_odoo" >/dev/null 2>&1; then
            say "installing pytest-odoo for the odoo tier"
            pip_install "$odoo_py" -r requirements-odoo-test.txt || say "could not install requirements-odoo-test.txt"
        fi
        rm -f "$RESULTS/odoo.xml"
        if [ "$install_rc" -eq 0 ] && [ "$install_errors" -eq 0 ]; then
            test_dirs=$(for m in ${modules//,/ }; do [ -d "$m/tests" ] && echo "$m/tests"; done)
            extra=()  # ODOO_DB_ARGS (--db_host=... ) as pytest-odoo's --odoo-extra=db_host=...
            for arg in ${ODOO_DB_ARGS:-}; do extra+=("--odoo-extra=${arg#--}"); done
            # shellcheck disable=SC2086 # several test folders and options
            "$odoo_py" -m pytest -q -p no:cacheprovider --odoo-database="$db" \
                --odoo-addons-path="$addons_path" --odoo-http --odoo-log-level=error \
                "${extra[@]}" --junitxml="$RESULTS/odoo.xml" ${ODOO_PYTEST_ARGS:-} $test_dirs \
                2>&1 | tee "$RESULTS/odoo.log" | tail -n 40 >&2
            odoo_rc=${PIPESTATUS[0]}
        else
            say "odoo tier: the install failed (exit $install_rc, $install_errors error lines); first lines:"
            grep -E " (ERROR|CRITICAL) |Traceback" "$RESULTS/odoo-install.log" | head -n 40 >&2
            odoo_rc=1
        fi
        read -r o_pass o_fail o_skip < <(junit_counts "$RESULTS/odoo.xml")
        if [ "$odoo_rc" -ne 0 ] && [ "$o_fail" -eq 0 ]; then o_fail=1; fi
        if [ "${KEEP_TEST_DB:-0}" != 1 ]; then dropdb --if-exists "$db" >/dev/null 2>&1 || true; fi
        summary="$summary, odoo ($o_pass passed, $o_fail failed, $o_skip skipped)"
        tiers=engine+odoo
        total_pass=$((total_pass + o_pass)) total_fail=$((total_fail + o_fail)) total_skip=$((total_skip + o_skip))
    fi
else
    summary="$summary; odoo tier not run (no interpreter here can import odoo)"
fi

# One junit file for both tiers (CI tools read one).
"$PY" - "$RESULTS/junit.xml" "$RESULTS/engine.xml" "$RESULTS/odoo.xml" <<'PYEOF'
import sys
import xml.etree.ElementTree as ET
merged = ET.Element("testsuites")
for path, tier in zip(sys.argv[2:], ("engine", "odoo")):
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        continue
    for suite in [root] if root.tag == "testsuite" else root.findall("testsuite"):
        suite.set("name", tier)
        merged.append(suite)
ET.ElementTree(merged).write(sys.argv[1], encoding="utf-8", xml_declaration=True)
PYEOF

echo "by tier: $summary"
echo "$tiers: $total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" -eq 0 ]
