# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from urllib.parse import parse_qs, urlsplit

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import LightspeedCommon

CALLBACK = "/pos_connector_lightspeed/oauth/callback"


@tagged("post_install", "-at_install")
class TestOAuth(LightspeedCommon, HttpCase):
    """The authorization-code flow over real HTTP: the Connect button, the
    callback trading the code at the (fake) token endpoint."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_lightspeed()
        cls.source = cls.make_source(ls_access_token=False, ls_refresh_token=False)
        cls.manager = new_test_user(
            cls.env,
            "ls_manager",
            password="ls_manager_pw",
            groups="base.group_user,pos_ai_replenishment.group_replenishment_manager",
        )
        cls.user = new_test_user(
            cls.env,
            "ls_user",
            password="ls_user_pw",
            groups="base.group_user,pos_ai_replenishment.group_replenishment_user",
        )

    def setUp(self):
        super().setUp()
        self.fake = self.fake_mod.FakeLightspeed()
        self.fake.__enter__()
        self.addCleanup(self.fake.__exit__, None, None, None)
        self.point_at(self.source, self.fake)

    def authorize(self):
        action = self.source.with_user(self.manager).action_ls_authorize()
        self.assertEqual(action["type"], "ir.actions.act_url")
        query = {k: v[0] for k, v in parse_qs(urlsplit(action["url"]).query).items()}
        return action["url"], query

    def callback(self, **params):
        return self.url_open(CALLBACK + "?" + "&".join(f"{k}={v}" for k, v in params.items()),
                             allow_redirects=False)  # fmt: skip

    def test_connect_button_and_callback_store_the_tokens_for_managers_only(self):
        url, query = self.authorize()
        self.assertTrue(url.startswith("https://cloud.lightspeedapp.com/auth/oauth/authorize?"))
        self.assertEqual(query["client_id"], "client-id")
        self.assertEqual(query["response_type"], "code")
        self.assertEqual(query["scope"], "employee:register employee:inventory")
        self.assertEqual(query["redirect_uri"], self.source.ls_redirect_uri)
        self.assertTrue(query["redirect_uri"].endswith(CALLBACK))
        self.authenticate("ls_manager", "ls_manager_pw")
        response = self.callback(code="good-code", state=query["state"])
        self.assertEqual(response.status_code, 303, response.text)
        self.assertIn(f"/{self.source.id}", response.headers["Location"])
        grant = self.fake.token_requests[-1]
        self.assertEqual(grant["grant_type"], "authorization_code")
        self.assertEqual(
            (grant["client_id"], grant["client_secret"]), ("client-id", "ls-client-secret")
        )
        self.assertEqual(grant["redirect_uri"], self.source.ls_redirect_uri)
        secret = self.source.sudo()
        self.assertEqual(secret.ls_access_token, self.fake.access_token)
        self.assertEqual(secret.ls_refresh_token, self.fake.refresh_token)
        self.assertTrue(self.source.ls_connected)
        self.assertFalse(secret.ls_oauth_state, "the state is one-shot")
        # replaying the callback is refused
        self.assertEqual(self.callback(code="good-code", state=query["state"]).status_code, 400)
        # tokens are readable by managers only
        self.assertTrue(self.source.with_user(self.user).ls_connected)
        with self.assertRaises(AccessError):
            self.source.with_user(self.user).read(["ls_access_token"])
        self.assertTrue(self.source.with_user(self.manager).read(["ls_refresh_token"]))

    def test_a_refused_code_is_recorded_and_stores_no_token(self):
        _url, query = self.authorize()
        self.authenticate("ls_manager", "ls_manager_pw")
        response = self.callback(code="stolen-code", state=query["state"])
        self.assertEqual(response.status_code, 303)
        self.assertIn("invalid_grant", self.source.ls_last_error)
        self.assertFalse(self.source.sudo().ls_access_token)

    def test_the_callback_needs_a_manager_and_a_known_state(self):
        _url, query = self.authorize()
        self.authenticate("ls_user", "ls_user_pw")
        self.assertEqual(self.callback(code="good-code", state=query["state"]).status_code, 403)
        self.authenticate("ls_manager", "ls_manager_pw")
        self.assertEqual(self.callback(code="good-code", state="forged").status_code, 400)
        self.assertFalse(self.fake.token_requests)
        self.assertFalse(self.source.sudo().ls_access_token)
