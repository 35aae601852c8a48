# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import PosReplenishmentCase


@tagged("post_install", "-at_install")
class TestSecurity(PosReplenishmentCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(
            cls.env, "pos_repl_user", groups="pos_ai_replenishment.group_replenishment_user"
        )
        cls.manager = new_test_user(
            cls.env, "pos_repl_manager", groups="pos_ai_replenishment.group_replenishment_manager"
        )
        cls.stranger = new_test_user(cls.env, "pos_repl_stranger", groups="base.group_user")
        cls.event = cls.store(
            cls, cls.sale(cls, "sec-1", [{"line_id": "sec-1", "sku": "T-COLA", "quantity": 1}])
        )
        cls.Inbox._process_batch()

    def test_only_managers_read_the_signing_secret(self):
        self.assertEqual(self.source.with_user(self.manager).signing_secret, "test-signing-secret")
        source = self.source.with_user(self.user)
        self.assertEqual(source.name, "Test POS")
        with self.assertRaises(AccessError):
            source.read(["signing_secret"])
        with self.assertRaises(AccessError):
            source.write({"name": "renamed"})

    def test_users_read_demand_but_only_managers_reprocess(self):
        self.assertEqual(self.daily(self.cola).with_user(self.user).qty_net, 1)
        with self.assertRaises(AccessError):
            self.event.with_user(self.user).action_reprocess()
        self.event.with_user(self.manager).action_reprocess()
        self.assertEqual(self.event.state, "new")

    def test_people_outside_the_groups_see_nothing(self):
        for model in ("pos.source", "pos.inbox.event", "pos.demand.signal", "pos.demand.daily"):
            with self.assertRaises(AccessError, msg=model):
                self.env[model].with_user(self.stranger).search([])

    def test_records_of_another_company_are_hidden(self):
        other = self.env["res.company"].create({"name": "Other Retail Co"})
        outsider = new_test_user(
            self.env,
            "pos_repl_other",
            company_id=other.id,
            company_ids=[other.id],
            groups="pos_ai_replenishment.group_replenishment_manager",
        )
        for model in ("pos.source", "pos.inbox.event", "pos.demand.signal", "pos.demand.daily"):
            self.assertFalse(self.env[model].with_user(outsider).search([]), model)
        self.assertTrue(self.env["pos.demand.daily"].with_user(self.manager).search([]))
