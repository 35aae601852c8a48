from . import test_rseries_poll
