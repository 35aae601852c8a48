from . import test_rseries_poll
from . import test_xseries_webhook_http
from . import test_xseries_backfill
from . import test_push_back
from . import test_oauth_http
