# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models
from odoo.http import request


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _pre_dispatch(cls, rule, args):
        """Keep the raw body of routes marked ``ls_raw_body``: X-Series posts
        form-encoded webhooks signed over the exact bytes, and Odoo parses the
        form (consuming the stream) before the controller runs. Read after the
        route's ``max_content_length`` is set; the form is then parsed from
        the cached bytes."""
        res = super()._pre_dispatch(rule, args)
        if rule.endpoint.routing.get("ls_raw_body"):
            request.httprequest.get_data(cache=True, parse_form_data=False)
        return res
