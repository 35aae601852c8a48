# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import time

from odoo.tests import HttpCase, tagged

from ..demand_engine.signing import SIGNATURE_HEADER, signature_header
from .common import SECRET, PosReplenishmentCommon

URL = "/pos_ai_replenishment/intake/test-pos"


@tagged("post_install", "-at_install")
class TestIntakeHttp(PosReplenishmentCommon, HttpCase):
    """The generic intake endpoint over real HTTP on the test server."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_pos_fixtures()

    def post(self, raw, signature=None, secret=SECRET, timestamp=None, url=URL):
        if signature is None:
            signature = signature_header(secret, raw, timestamp)
        headers = {"Content-Type": "application/json"}
        if signature is not False:
            headers[SIGNATURE_HEADER] = signature
        return self.opener.post(self.base_url() + url, data=raw, headers=headers, timeout=30)

    def raw_sale(self, event_id="evt-http-1", sku="T-COLA", qty=3):
        return json.dumps(
            self.sale(
                event_id,
                [{"line_id": f"{event_id}-1", "sku": sku, "quantity": qty, "unit_price": 2.0}],
            )
        ).encode()

    def written(self):
        """What a request could have written: inbox rows and cron triggers."""
        cron = self.env.ref("pos_ai_replenishment.ir_cron_process_pos_inbox")
        return (
            self.Inbox.search_count([("source_id", "=", self.source.id)]),
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]),
        )

    def test_signed_event_is_stored_raw_and_triggers_the_cron(self):
        before = self.written()
        raw = self.raw_sale()
        response = self.post(raw)
        self.assertEqual(response.status_code, 202, response.text)
        self.assertEqual(response.json()["status"], "accepted")
        event = self.Inbox.search([("external_id", "=", "evt-http-1")])
        self.assertEqual(event.state, "new")
        self.assertEqual(event.body.encode(), raw, "the raw body is kept byte for byte")
        self.assertEqual(event.topic, "sale")
        self.assertIn(SIGNATURE_HEADER, json.loads(event.headers))
        self.assertEqual(self.written(), (before[0] + 1, before[1] + 1))
        # and it becomes demand once the inbox is drained
        self.Inbox._process_batch()
        self.assertEqual(event.state, "done")
        self.assertEqual(self.daily(self.cola).qty_net, 3)

    def test_duplicate_delivery_is_acknowledged_and_stored_once(self):
        raw = self.raw_sale("evt-dup")
        self.assertEqual(self.post(raw).status_code, 202)
        second = self.post(raw, timestamp=int(time.time()) + 1)
        self.assertEqual(second.status_code, 200)
        self.assertEqual(second.json()["status"], "duplicate")
        self.assertEqual(self.Inbox.search_count([("external_id", "=", "evt-dup")]), 1)

    def test_tampered_body_is_refused_and_writes_nothing(self):
        raw = self.raw_sale("evt-tamper")
        signature = signature_header(SECRET, raw)
        before = self.written()
        response = self.post(raw.replace(b'"quantity": 3', b'"quantity": 300'), signature)
        self.assertEqual(response.status_code, 401)
        self.assertIn("does not match", response.json()["error"])
        self.assertEqual(self.written(), before)

    def test_wrong_secret_and_missing_signature_are_refused(self):
        raw = self.raw_sale("evt-nosig")
        before = self.written()
        self.assertEqual(self.post(raw, secret="not-the-secret").status_code, 401)
        response = self.post(raw, signature=False)
        self.assertEqual(response.status_code, 401)
        self.assertIn("missing", response.json()["error"])
        self.assertEqual(self.written(), before)

    def test_stale_timestamp_is_refused_as_replay(self):
        raw = self.raw_sale("evt-stale")
        before = self.written()
        response = self.post(raw, timestamp=int(time.time()) - 3600)
        self.assertEqual(response.status_code, 401)
        self.assertIn("tolerance", response.json()["error"])
        self.assertEqual(self.written(), before)

    def test_malformed_json_gets_400_with_a_message(self):
        before = self.written()
        response = self.post(b'{"event_id": "evt-bad", "type": ')
        self.assertEqual(response.status_code, 400)
        self.assertIn("not valid JSON", response.json()["error"])
        response = self.post(
            json.dumps(
                {"event_id": "evt-bad", "type": "sale", "occurred_at": "2026-03-01T10:00:00Z"}
            ).encode()
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("lines must be a non-empty list", response.json()["error"])
        self.assertEqual(self.written(), before)

    def test_oversized_payload_gets_413(self):
        self.env["ir.config_parameter"].set_param("pos_ai_replenishment.max_payload_kb", 1)
        lines = [{"line_id": f"l{i}", "sku": "T-COLA", "quantity": 1} for i in range(100)]
        raw = json.dumps(self.sale("evt-big", lines)).encode()
        self.assertGreater(len(raw), 1024)
        before = self.written()
        response = self.post(raw)
        self.assertEqual(response.status_code, 413)
        self.assertIn("over the 1024 byte limit", response.json()["error"])
        self.assertEqual(self.written(), before)

    def test_unknown_or_archived_source_gets_404(self):
        raw = self.raw_sale("evt-404")
        self.assertEqual(self.post(raw, url="/pos_ai_replenishment/intake/nope").status_code, 404)
        self.source.active = False
        self.assertEqual(self.post(raw).status_code, 404)

    def test_fast_intake_setting_still_stores_and_dedupes(self):
        settings = self.env["res.config.settings"].create({"pos_async_commit": True})
        settings.execute()
        self.assertTrue(self.Inbox._config_flag("pos_ai_replenishment.async_commit"))
        raw = self.raw_sale("evt-fast")
        self.assertEqual(self.post(raw).status_code, 202)
        self.assertEqual(self.post(raw, timestamp=int(time.time()) + 1).status_code, 200)
        self.assertEqual(self.Inbox.search_count([("external_id", "=", "evt-fast")]), 1)
        # the request ran in this test's transaction: its commit mode shows here
        self.env.cr.execute("SHOW synchronous_commit")
        self.assertEqual(self.env.cr.fetchone()[0], "off")

    def test_a_new_secret_takes_effect_at_once(self):
        raw = self.raw_sale("evt-rotate")
        self.assertEqual(self.post(raw).status_code, 202)
        self.source.action_generate_secret()
        new_secret = self.source.signing_secret
        self.assertNotEqual(new_secret, SECRET)
        raw = self.raw_sale("evt-rotate-2")
        self.assertEqual(self.post(raw).status_code, 401, "the old secret is refused")
        self.assertEqual(self.post(raw, secret=new_secret).status_code, 202)
