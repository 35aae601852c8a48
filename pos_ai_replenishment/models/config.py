# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Reading settings and picking the person who follows up, shared by the
replenishment models and the addons that extend them."""

from odoo import SUPERUSER_ID


def config_value(env, key, default, cast=int):
    """The system parameter ``key`` as ``cast`` (``bool`` for checkboxes, stored
    "True"/"False"); ``default`` when unset or unreadable."""
    value = env["ir.config_parameter"].sudo().get_param(key)
    if value in (None, "", False):
        return default
    if cast is bool:
        return str(value).lower() in ("1", "true")
    try:
        return cast(value)
    except (TypeError, ValueError):
        return default


def first_person(env, candidates, fallback_group=None, company=None):
    """The first candidate who is an active internal user other than the
    superuser; else the first such member of ``fallback_group`` (an xmlid) in
    ``company``; else the administrator. Activities go to people, not bots."""
    for user in candidates:
        if user and user.active and not user.share and user.id != SUPERUSER_ID:
            return user
    if fallback_group:
        members = env.ref(fallback_group).users.filtered(
            lambda u: u.id != SUPERUSER_ID and (not company or company in u.company_ids)
        )
        if members:
            return members[:1]
    return env.ref("base.user_admin")
