from . import test_vendor_comms
from . import test_scorecard_tracking
