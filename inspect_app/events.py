"""What happened, announced: blinker signals (Flask's own dependency) between features.

A feature announces an event after it has flushed the change; the features that react to it
connect in their own ``reactions.py``, which ``create_app`` imports (``register_reactions``). The
announcer never imports a listener, so features depend one way only. Receivers run at once, in
the same transaction: when one refuses (raises), the whole change is refused.

Who listens (docs/architecture.md keeps the table):

- ``finding_grading``, sent by findings.grade_finding before grading: actions refuses a point whose
  action is closed.
- ``finding_graded``, sent by findings.apply_grade: actions creates, re-bands or re-dates the action.
- ``finding_withdrawn``, sent by findings.withdrawal.withdraw_finding: actions cancels the point's action.
- ``inspection_signed_off``, sent by inspections.signing.sign_off at the last signature: actions gives each
  point that needs one its action.
- ``product_check_failed``, sent by alerts.record_check: actions grades the point Extreme.
- ``action_created``, ``action_band_raised``, ``acceptance_proposed``, sent by actions:
  notifications queues the emails.
- ``library_item_imported`` and ``library_exporting``, sent by checklists.library: alerts adds and
  lists each item's citations.
- ``incident_recorded``, sent by incidents.record_incident: notifications tells the safety leads.
- ``incident_at_point``, sent by incidents after re-grading a point where one happened: actions
  gives the point its action if it has none.
- ``trust_check_launched``, sent by learning.launch: notifications tells each ward's managers.
- ``finding_pin_given``, sent by the new-point form and the sync API's ``finding.create`` after the point
  is recorded with a position on the ward plan: plans pins it (or refuses the point whole).
- ``stored_files_listing``, sent by photos check: plans names the plan files it keeps in the photo store.
- ``remediation_listing``, sent by plans (the hot-spot map's key): actions says where each point's
  remediation stands.
"""
from __future__ import annotations

from blinker import Namespace

_events = Namespace()

#: sender: the Finding about to be graded by ``grade_finding``; kwargs: by, now. A receiver may refuse by raising.
finding_grading = _events.signal("finding-grading")
#: sender: the Finding just graded; kwargs: by, now, old_band (None for a first grade).
finding_graded = _events.signal("finding-graded")
#: sender: the Finding just withdrawn ("recorded in error"); kwargs: reason, by, now.
finding_withdrawn = _events.signal("finding-withdrawn")
#: sender: the Inspection whose last required signature was just given; kwargs: by, now.
#: Receivers return the records they created (``sign_off`` returns the actions).
inspection_signed_off = _events.signal("inspection-signed-off")
#: sender: the new Action; kwargs: now.
action_created = _events.signal("action-created")
#: sender: the Action whose band rose; kwargs: old_band, now, cause (a sentence, or None).
action_band_raised = _events.signal("action-band-raised")
#: sender: the Action whose risk acceptance awaits a risk approver; kwargs: now.
acceptance_proposed = _events.signal("acceptance-proposed")
#: sender: the RoomFixture whose check failed; kwargs: check (the flushed FixtureCheck), by, now.
#: A receiver may refuse by raising ``AlertError``.
product_check_failed = _events.signal("product-check-failed")
#: sender: a ChecklistItem just added by a library import; kwargs: doc (the item's document), by, now.
#: A receiver may refuse the import by raising ``LibraryError``.
library_item_imported = _events.signal("library-item-imported")
#: sender: the ChecklistTemplate being exported; receivers return ``{item id: {document key: value}}``
#: to add to the items' documents.
library_exporting = _events.signal("library-exporting")
#: sender: the Incident just recorded (by hand, import or CLI); kwargs: now.
incident_recorded = _events.signal("incident-recorded")
#: sender: the Finding an incident happened at, just re-graded; kwargs: incident, by, now.
incident_at_point = _events.signal("incident-at-point")
#: sender: the TrustCheck just launched, its tasks flushed; kwargs: now.
trust_check_launched = _events.signal("trust-check-launched")
#: sender: the Finding just recorded with a position tapped on the ward plan; kwargs: x, y (percent of
#: the plan, as the form holds them), by, now. A receiver may refuse by raising ``FindingError``.
finding_pin_given = _events.signal("finding-pin-given")
#: sender: the photo store being checked; receivers return ``[(owner uuid, key)]`` of the other files
#: they keep in it (so ``photos check`` neither calls them orphans nor misses them when absent).
stored_files_listing = _events.signal("stored-files-listing")
#: sender: a list of Finding ids (a plan's key); kwargs: today. Receivers return ``{finding id:
#: (status label, interim control or None, interim control's review date passed)}``.
remediation_listing = _events.signal("remediation-listing")
