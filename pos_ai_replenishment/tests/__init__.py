from . import test_intake_http
from . import test_processing
from . import test_daily_random
from . import test_concurrency
from . import test_security
from . import test_demo
from . import test_forecast
from . import test_governed_po
