from . import pos_proposal_reject_wizard
