# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    ls_source_id = fields.Many2one(
        "pos.source",
        string="Lightspeed Source",
        copy=False,
        index="btree_not_null",
        ondelete="set null",
    )
    ls_supplier_ref = fields.Char(
        string="Lightspeed Vendor ID",
        copy=False,
        index="btree_not_null",
        help="vendorID (R-Series) or supplier id (X-Series): pushed orders name it.",
    )
    ls_phone_invalid = fields.Boolean(
        string="Phone Needs Checking",
        copy=False,
        help="A phone number imported from Lightspeed is not a valid number; it is "
        "kept as typed. Fix it, then clear this flag.",
    )
    ls_phone_note = fields.Text(string="Phone Import Note", copy=False)

    _sql_constraints = [
        (
            "ls_supplier_unique",
            "unique(ls_source_id, ls_supplier_ref)",
            "This Lightspeed vendor is already linked to a partner.",
        ),
    ]

    @api.model
    def _ls_supplier_values(self, supplier):
        """Partner values of an engine :class:`Supplier` (phones in E.164
        when valid, else as typed and flagged)."""
        phones = [p for p in supplier.phones if (p.use_type or "").lower() not in ("mobile", "fax")]
        mobiles = [p for p in supplier.phones if (p.use_type or "").lower() == "mobile"]
        values = {
            "name": supplier.name,
            "is_company": True,
            "email": supplier.emails[0] if supplier.emails else False,
            "phone": phones[0].value if phones else False,
            "mobile": mobiles[0].value if mobiles else False,
            "website": supplier.website or False,
            "ls_phone_invalid": supplier.phone_invalid,
            "ls_phone_note": "\n".join(supplier.notes) or False,
        }
        if supplier.account_number:
            values["ref"] = supplier.account_number
        address = supplier.address
        if address:
            country = (
                self.env["res.country"].search([("code", "=", address.country_code)], limit=1)
                if address.country_code
                else self.env["res.country"]
            )
            state = self.env["res.country.state"]
            if country and address.state:
                state = state.search(
                    [
                        ("country_id", "=", country.id),
                        "|",
                        ("code", "=ilike", address.state),
                        ("name", "=ilike", address.state),
                    ],
                    limit=1,
                )
            values.update(
                {
                    "street": address.street or False,
                    "street2": address.street2 or False,
                    "city": address.city or False,
                    "zip": address.zip or False,
                    "country_id": country.id or False,
                    "state_id": state.id or False,
                }
            )
        return values

    @api.model
    def _ls_upsert_suppliers(self, source, suppliers):
        """Create or update one supplier partner per Lightspeed vendor, with
        its representatives and extra e-mails as contacts. A vendor already
        in Odoo under the same name (and not linked) is linked, not copied.
        Returns how many vendors were created or updated."""
        refs = [s.supplier_id for s in suppliers]
        partners = self.with_context(active_test=False)
        linked = {
            p.ls_supplier_ref: p
            for p in partners.search(
                [("ls_source_id", "=", source.id), ("ls_supplier_ref", "in", refs)]
            )
        }
        count = 0
        for supplier in suppliers:
            partner = linked.get(supplier.supplier_id)
            if not partner and supplier.archived:
                continue
            values = self._ls_supplier_values(supplier)
            if not partner:
                partner = partners.search(
                    [
                        ("name", "=ilike", supplier.name),
                        ("is_company", "=", True),
                        ("ls_supplier_ref", "=", False),
                        ("parent_id", "=", False),
                        ("company_id", "in", (False, source.company_id.id)),
                    ],
                    limit=1,
                )
            values.update({"ls_source_id": source.id, "ls_supplier_ref": supplier.supplier_id})
            if partner:
                partner.write(values)
            else:
                partner = self.create(values)
            partner.supplier_rank = max(partner.supplier_rank, 1)
            partner._ls_sync_contacts(supplier)
            count += 1
        return count

    def _ls_sync_contacts(self, supplier):
        self.ensure_one()
        children = self.with_context(active_test=False).child_ids
        names = {c.name for c in children}
        emails = {c.email for c in children if c.email}
        new = [
            {"parent_id": self.id, "type": "contact", "name": name}
            for name in supplier.contacts
            if name not in names
        ]
        new += [
            {"parent_id": self.id, "type": "other", "name": email, "email": email}
            for email in supplier.emails[1:]
            if email not in emails
        ]
        if new:
            self.create(new)
