from . import test_webhook_http
from . import test_backfill
