#!/usr/bin/env bash
# Start an Odoo 18 demo server with pos_ai_replenishment installed.
#
# On first start a database "$DEMO_DB" (default: odoo_demo) is created and the
# addon is installed with its demo data (Odoo 18 loads demo data by default
# into a new database). Later starts reuse the existing database.
#
# Login: admin / admin
set -euo pipefail

DEMO_DB="${DEMO_DB:-odoo_demo}"
DB_HOST="${HOST:-db}"
DB_USER="${USER:-odoo}"
DB_PASSWORD="${PASSWORD:-odoo}"
ADDONS_PATH="/mnt/extra-addons,/usr/lib/python3/dist-packages/odoo/addons"

DB_ARGS=(--db_host="$DB_HOST" --db_user="$DB_USER" --db_password="$DB_PASSWORD")

# psql ships with the odoo image (postgresql-client). Capture the list first so
# that `grep -q` closing the pipe early cannot trip pipefail.
existing_dbs="$(PGPASSWORD="$DB_PASSWORD" psql -h "$DB_HOST" -U "$DB_USER" -d postgres -lqt \
    | cut -d '|' -f 1 | tr -d ' ')"
if ! grep -qxF "$DEMO_DB" <<<"$existing_dbs"; then
    echo "Creating database ${DEMO_DB} and installing pos_ai_replenishment (with demo data)..."
    odoo "${DB_ARGS[@]}" -d "$DEMO_DB" -i pos_ai_replenishment,pos_connector_shopify,pos_connector_lightspeed,vendor_comms_ai \
        --addons-path="$ADDONS_PATH" --stop-after-init
fi

exec odoo "${DB_ARGS[@]}" -d "$DEMO_DB" --db-filter="^${DEMO_DB}\$" \
    --addons-path="$ADDONS_PATH" --workers=2 --max-cron-threads=1
