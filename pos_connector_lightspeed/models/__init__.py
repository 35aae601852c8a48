from . import pos_source
from . import pos_source_location
from . import pos_inbox_event
from . import pos_product_mapping
from . import res_partner
from . import purchase_order
from . import ir_http
