"""The worker's transactional steps (sharing-and-delivery §6.1–§6.9), each one short.

1. :func:`sweep`: leases whose worker vanished go back to the queue; their ``started``
   attempts are closed as failed and possibly received.
2. :func:`claim_and_prepare`: lease due lanes, find each lane's head, re-run the decision
   (:mod:`notify.delivery_gate`), cancel or hold what is no longer permitted, skip endpoints
   whose circuit is open (no attempt counted), and write a ``started`` attempt for the rest.
   The caller commits this before any byte is sent.
3. the worker signs and sends (no transaction open);
4. :func:`finish`: record each result, move the delivery and its lane on (§6.4, §6.5), update
   the endpoint's health, disable it on 410 or sustained failure, write the ledger.

Pure code decides (:mod:`notify.lifecycle`, :mod:`notify.endpoint_health`,
:mod:`notify.response`); this package carries the decisions out: :mod:`.prepare` (steps 1
and 2), :mod:`.finish` (step 4), :mod:`.common` (what they share); :mod:`notify.worker` runs them.
"""
