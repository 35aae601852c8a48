from . import pos_source
from . import pos_inbox_event
from . import pos_product_mapping
