# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date, datetime, timedelta

from odoo import Command, fields
from odoo.tests import tagged
from odoo.tools import html2plaintext

from .common import VendorCommsCase, engine_test_module


@tagged("post_install", "-at_install")
class TestSendingAndFollowUps(VendorCommsCase):
    def test_confirming_an_auto_ai_order_puts_the_email_in_the_outbox(self):
        order = self.make_order("auto")
        order.button_confirm()
        self.assertEqual(order.state, "purchase")
        self.assertEqual(order.vendor_status, "sent")
        mails = self.vendor_mails(order)
        self.assertEqual(len(mails), 1)
        self.assertEqual(mails.state, "outgoing")
        body = mails.body_html
        for words in (f"Dear {self.vendor.name}", order.name, "Trail Jacket", "10 Units"):
            self.assertIn(words, body)
        self.assertIn("Requested delivery date", body)
        self.assertTrue(mails.attachment_ids, "Odoo's purchase order PDF goes along")
        self.assertIn(order.name, order.vendor_cover_message)
        self.assertIn("the standard template", order.message_ids[0].body)

    def test_draft_phase_prepares_the_email_for_the_buyer(self):
        order = self.make_order("draft")
        order.button_confirm()
        self.assertEqual(order.vendor_status, "prepared")
        self.assertFalse(self.vendor_mails(order))
        activity = order.activity_ids.filtered(lambda a: a.user_id == self.buyer)
        self.assertIn("Send the order", activity.summary)
        order.vendor_cover_message += "\nPlease deliver to the back door."
        order.with_user(self.buyer).action_vendor_send()
        self.assertEqual(order.vendor_status, "sent")
        self.assertIn("back door", self.vendor_mails(order).body_html)
        self.assertFalse(order.activity_ids.filtered(lambda a: a.user_id == self.buyer))

    def test_manual_orders_only_when_the_setting_says_so(self):
        manual = self.env["purchase.order"].create(
            {
                "partner_id": self.vendor.id,
                "order_line": [Command.create({"product_id": self.product.id})],
            }
        )
        manual.button_confirm()
        self.assertEqual(manual.vendor_status, "not_sent")
        self.env["ir.config_parameter"].sudo().set_param("vendor_comms_ai.all_orders", "True")
        other = manual.copy()
        other.button_confirm()
        self.assertEqual(other.vendor_status, "prepared")

    def test_follow_up_cron_asks_then_escalates_with_the_e164_phone(self):
        order = self.make_order("auto")
        order.button_confirm()
        Order = self.env["purchase.order"]
        Order._cron_vendor_follow_up()
        self.assertEqual(order.vendor_follow_up_count, 0, "too early to ask")
        for attempt in (1, 2):
            order.write(
                {
                    "vendor_sent_at": fields.Datetime.now() - timedelta(days=3),
                    "vendor_last_follow_up_at": order.vendor_last_follow_up_at
                    and fields.Datetime.now() - timedelta(days=3),
                }
            )
            Order._cron_vendor_follow_up()
            self.assertEqual(order.vendor_follow_up_count, attempt)
            self.assertEqual(len(self.vendor_mails(order)), 1 + attempt)
        follow_up = self.vendor_mails(order).sorted("id")[-1]
        self.assertIn(order.name, follow_up.body_html)
        self.assertIn("confirm", follow_up.body_html.lower())
        order.vendor_last_follow_up_at = fields.Datetime.now() - timedelta(days=3)
        Order._cron_vendor_follow_up()
        self.assertEqual(order.vendor_status, "escalated")
        self.assertEqual(len(self.vendor_mails(order)), 3, "no third email: a person calls")
        call = order.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("mail.mail_activity_data_call")
        )
        self.assertEqual(call.user_id, self.buyer)
        self.assertIn("+16502530000", call.summary)
        self.assertEqual(order.vendor_phone_e164, "+16502530000")

    def test_confirmed_without_a_date_is_asked_for_one(self):
        order = self.make_order("auto")
        order.button_confirm()
        order.write(
            {
                "vendor_status": "confirmed",
                "vendor_replied_at": fields.Datetime.now() - timedelta(days=3),
            }
        )
        order.order_line.date_planned = fields.Datetime.now() + timedelta(days=20)
        Order = self.env["purchase.order"]
        Order._cron_vendor_follow_up()
        self.assertEqual(order.vendor_follow_up_count, 1)
        self.assertIn("will be delivered", self.vendor_mails(order).sorted("id")[-1].body_html)
        # once the vendor gave its date and the arrival is far, nothing more to ask
        order.write(
            {
                "vendor_eta": fields.Date.today() + timedelta(days=20),
                "vendor_last_follow_up_at": fields.Datetime.now() - timedelta(days=3),
            }
        )
        Order._cron_vendor_follow_up()
        self.assertEqual(order.vendor_follow_up_count, 1)

    def test_shipping_status_is_asked_as_the_date_nears(self):
        order = self.make_order("auto")
        order.button_confirm()
        order.write(
            {
                "vendor_status": "confirmed",
                "vendor_replied_at": fields.Datetime.now() - timedelta(days=3),
            }
        )
        order.order_line.date_planned = fields.Datetime.now() + timedelta(days=1)
        self.env["purchase.order"]._cron_vendor_follow_up()
        self.assertEqual(order.vendor_follow_up_count, 1)
        self.assertIn("ship", self.vendor_mails(order).sorted("id")[-1].body_html.lower())


@tagged("post_install", "-at_install")
class TestVendorReplies(VendorCommsCase):
    """The engine's corpus of real MIME replies, through Odoo's mail gateway."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.corpus = engine_test_module("reply_corpus")
        cls.expected = cls.corpus.expected()

    def process_reply(self, name):
        reply = self.corpus.load(name)
        sender = reply.message["From"].addresses[0]
        vendor = self.env["res.partner"].create(
            {"name": sender.display_name or sender.username, "email": sender.addr_spec}
        )
        self.add_seller(vendor, price=30.0)
        order = self.make_order("auto", vendor=vendor, date_order=datetime(2026, 3, 1, 9, 0))
        order.button_confirm()
        raw = self.corpus.raw_message(name, order.name, self.thread_message_id(order))
        self.env["mail.thread"].message_process("purchase.order", raw.decode())
        return order, self.expected[name]

    def decision_activities(self, order):
        return order.activity_ids.filtered(lambda a: a.summary == "Vendor reply needs a decision")

    def test_every_reply_updates_dates_or_asks_a_person(self):
        names = self.corpus.names()
        self.assertGreaterEqual(len(names), 10)
        for name in names:
            with self.subTest(reply=name):
                order, exp = self.process_reply(name)
                reply = order.message_ids.filtered(lambda m: m.message_type == "email")
                self.assertEqual(len(reply), 1, "routed to the order's thread")
                eta = exp["eta"] and date.fromisoformat(exp["eta"])
                clear_eta = eta and not exp["eta_approximate"] and not exp["ambiguities"]
                if clear_eta:
                    self.assertEqual(order.vendor_eta, eta)
                    self.assertEqual(order.order_line.date_planned.date(), eta)
                    # the corpus names its order P00042; ours has its own name
                    sentence = exp["eta_sentence"].replace(self.corpus.PO_NAME, order.name)
                    note = order.message_ids.filtered(
                        lambda m, s=sentence: (
                            "Expected date set" in m.body and s in html2plaintext(m.body)
                        )
                    )
                    self.assertTrue(note, "the note quotes the sentence the date came from")
                else:
                    self.assertFalse(order.vendor_eta, "no silent change")
                needs_person = bool(
                    exp["ambiguities"]
                    or exp["partial_lines"]
                    or exp["price_changes"]
                    or exp["declined"]
                    or exp["backorder"]
                    or (eta and not clear_eta)
                    or (exp["nothing_useful"] and not exp["auto_reply"])
                )
                self.assertEqual(bool(self.decision_activities(order)), needs_person)
                numbers = {t["number"] for t in exp["tracking"]}
                self.assertEqual(set(order.vendor_tracking_ids.mapped("tracking_number")), numbers)
                if numbers or exp["ship_date"]:
                    self.assertEqual(order.vendor_status, "shipped")
                elif exp["declined"]:
                    self.assertEqual(order.vendor_status, "declined")
                elif exp["confirmed"]:
                    self.assertEqual(order.vendor_status, "confirmed")
                self.assertIn("read by rules", " ".join(order.message_ids.mapped("body")))
                self.assertTrue(
                    self.env["pos.ai.audit.log"].search_count(
                        [("action", "=", "vendor_reply_read"), ("res_id", "=", order.id)]
                    )
                )

    def test_out_of_office_and_other_languages(self):
        auto = [n for n in self.corpus.names() if self.expected[n]["auto_reply"]]
        order, _exp = self.process_reply(auto[0])
        self.assertFalse(self.decision_activities(order))
        self.assertIn("automatic reply", order.message_ids[0].body)
        french = [n for n in self.corpus.names() if self.expected[n]["language"] == "fr"]
        order, exp = self.process_reply(french[0])
        self.assertEqual(order.vendor_eta, date.fromisoformat(exp["eta"]))


@tagged("post_install", "-at_install")
class TestDelayAlert(VendorCommsCase):
    def test_a_late_eta_warns_the_store_with_substitutions(self):
        manager = self.env["res.users"].create(
            {"name": "Store Manager", "login": "vc_store", "email": "store@retailer.example"}
        )
        self.env["ir.config_parameter"].sudo().set_param(
            "vendor_comms_ai.delay_user_id", str(manager.id)
        )
        other_vendor = self.env["res.partner"].create({"name": "Backup Apparel"})
        self.add_seller(other_vendor, price=33.0, delay=3)
        substitute = self.env["product.product"].create(
            {"name": "Trail Jacket Pro", "is_storable": True, "categ_id": self.categ.id}
        )
        Quant = self.env["stock.quant"]
        Quant._update_available_quantity(self.product, self.warehouse.lot_stock_id, 20)
        Quant._update_available_quantity(substitute, self.warehouse.lot_stock_id, 50)
        Forecast = self.env["pos.demand.forecast"]
        for product, demand in ((self.product, 10.0), (substitute, 9.0)):
            Forecast.create(
                {"product_id": product.id, "warehouse_id": self.warehouse.id,
                 "demand_mean": demand}
            )  # fmt: skip
        order = self.make_order("auto")
        order.button_confirm()
        eta = fields.Date.today() + timedelta(days=20)
        raw = (
            f"From: Pacific Outfitters <{self.vendor.email}>\r\n"
            f"To: purchase@retailer.example\r\n"
            f"Subject: Re: {order.name}\r\n"
            f"Date: {datetime.now():%a, %d %b %Y %H:%M:%S} +0000\r\n"
            f"Message-ID: <delay-{order.id}@pacific-outfitters.example>\r\n"
            f"In-Reply-To: {self.thread_message_id(order)}\r\n"
            f"References: {self.thread_message_id(order)}\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n"
            f"Hello, your order {order.name} is delayed until {eta:%B %d, %Y}.\r\n"
            "Sorry for the inconvenience.\r\n"
        )
        self.env["mail.thread"].message_process("purchase.order", raw)
        self.assertEqual(order.vendor_eta, eta)
        warning = order.activity_ids.filtered(lambda a: a.user_id == manager)
        self.assertIn("Stockout before", warning.summary)
        mail = self.Mail.search([("email_to", "ilike", "store@retailer.example")])
        self.assertEqual(len(mail), 1)
        self.assertIn("run out before the new ETA", mail.subject)
        for words in ("Backup Apparel", "3 days", "Trail Jacket Pro", "50 in stock"):
            self.assertIn(words, mail.body_html)

    def test_no_alert_while_stock_lasts(self):
        Quant = self.env["stock.quant"]
        Quant._update_available_quantity(self.product, self.warehouse.lot_stock_id, 500)
        self.env["pos.demand.forecast"].create(
            {"product_id": self.product.id, "warehouse_id": self.warehouse.id, "demand_mean": 1}
        )
        order = self.make_order("auto")
        order.button_confirm()
        self.assertFalse(
            self.env["vendor.delay.alert"]._check(order, fields.Date.today() + timedelta(days=20))
        )


@tagged("post_install", "-at_install")
class TestLanguageModel(VendorCommsCase):
    """The optional model behind a real local chat-completions server."""

    REPLY = "We confirm order {po}. Delivery is planned for {eta:%B %d, %Y}."

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fake = engine_test_module("fake_llm").FakeLlm()
        cls.addClassCleanup(cls.fake.stop)

    def setUp(self):
        super().setUp()
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("vendor_comms_ai.llm_base_url", self.fake.base_url)
        params.set_param("vendor_comms_ai.llm_model", "test-model")
        params.set_param("vendor_comms_ai.llm_timeout", "1")

    def reply(self, order, eta):
        text = self.REPLY.format(po=order.name, eta=eta)
        raw = (
            f"From: Pacific Outfitters <{self.vendor.email}>\r\n"
            f"Subject: Re: {order.name}\r\n"
            f"Date: {datetime.now():%a, %d %b %Y %H:%M:%S} +0000\r\n"
            f"Message-ID: <llm-{order.id}-{self.fake.mode}@pacific-outfitters.example>\r\n"
            f"In-Reply-To: {self.thread_message_id(order)}\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n"
            f"{text}\r\n"
        )
        self.env["mail.thread"].message_process("purchase.order", raw)
        return text

    def facts_json(self, order, eta):
        import json  # noqa: PLC0415

        return json.dumps(
            {
                "confirmed": True,
                "declined": None,
                "eta": eta.isoformat(),
                "eta_sentence": f"Delivery is planned for {eta:%B %d, %Y}.",
                "ship_date": None,
                "ship_date_sentence": None,
                "backorder": False,
                "backorder_sentence": None,
                "partial_lines": [],
                "price_changes": [],
                "tracking": [],
                "ambiguities": [],
                "language": "en",
            }
        )

    def test_good_answers_are_used_and_audited(self):
        self.fake.mode = "good"
        self.fake.content = "Dear Pacific Outfitters, please find {po} attached. Thanks."
        order = self.make_order("auto")
        self.fake.content = self.fake.content.replace("{po}", order.name)
        order.button_confirm()
        self.assertIn("the language model (test-model)", order.message_ids[0].body)
        self.assertIn("please find", self.vendor_mails(order).body_html)
        eta = fields.Date.today() + timedelta(days=6)
        self.fake.content = self.facts_json(order, eta)
        self.reply(order, eta)
        self.assertEqual(order.vendor_eta, eta)
        self.assertIn("read by the language model (test-model)", order.message_ids[0].body)
        trace = self.env["pos.ai.audit.log"].search(
            [("action", "=", "llm_read_reply"), ("res_id", "=", order.id)]
        )
        self.assertIn("PROMPT", trace.reasoning)
        self.assertIn('"status":"ok"', trace.inputs)
        request = self.fake.requests[-1]
        self.assertEqual(request["body"]["model"], "test-model")
        self.assertEqual(request["body"]["response_format"], {"type": "json_object"})

    def test_malformed_slow_and_down_fall_back_to_rules(self):
        eta = fields.Date.today() + timedelta(days=6)
        for mode, status in (("malformed", "invalid_json"), ("schema", "schema_error"),
                             ("slow", "timeout"), ("error", "http_error")):  # fmt: skip
            with self.subTest(mode=mode):
                self.fake.mode = "good"
                self.fake.content = "not a usable cover"  # no PO name: the template is used
                order = self.make_order("auto")
                order.button_confirm()
                self.assertIn("the standard template", order.message_ids[0].body)
                self.fake.mode = mode
                self.reply(order, eta)
                self.assertEqual(order.vendor_eta, eta, "the rules read the date")
                self.assertIn("read by rules", order.message_ids[0].body)
                trace = self.env["pos.ai.audit.log"].search(
                    [("action", "=", "llm_read_reply"), ("res_id", "=", order.id)]
                )
                self.assertIn(f'"status":"{status}"', trace.inputs)


@tagged("post_install", "-at_install")
class TestLanguageModelDown(VendorCommsCase):
    def test_connection_refused_falls_back(self):
        fake = engine_test_module("fake_llm").FakeLlm()
        url = fake.base_url
        fake.stop()
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("vendor_comms_ai.llm_base_url", url)
        params.set_param("vendor_comms_ai.llm_model", "test-model")
        order = self.make_order("auto")
        order.button_confirm()
        self.assertEqual(order.vendor_status, "sent")
        self.assertIn("the standard template", order.message_ids[0].body)
        trace = self.env["pos.ai.audit.log"].search(
            [("action", "=", "llm_draft_po_cover"), ("res_id", "=", order.id)]
        )
        self.assertIn('"status":"http_error"', trace.inputs)
