from . import vendor_llm
from . import vendor_delay_alert
from . import purchase_order
from . import purchase_order_line
from . import vendor_shipment_tracking
from . import vendor_scorecard
from . import product_category
from . import res_config_settings
