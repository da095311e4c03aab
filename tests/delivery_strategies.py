"""Hypothesis strategies for delivery: signing secrets, message ids, bodies, attempt times.

Kept beside ``tests/strategies.py`` (shared strategies of the other areas) so both stay short.
"""

from __future__ import annotations

import base64
import datetime as dt
import string

from hypothesis import strategies as st

from notify import backoff, signing

#: ``whsec_`` secrets of every allowed length (24 to 64 random bytes).
whsec_secrets = st.binary(min_size=signing.MIN_SECRET_BYTES, max_size=signing.MAX_SECRET_BYTES).map(
    lambda key: signing.SECRET_PREFIX + base64.b64encode(key).decode("ascii")
)

#: Delivery ids as the hub mints them and as partners might see them: no ".".
delivery_ids = st.text(
    alphabet=string.ascii_letters + string.digits + "-_", min_size=1, max_size=40
)

#: Event bodies: any UTF-8 text (the receiver library verifies text), as bytes.
bodies = st.text(max_size=2000).map(lambda text: text.encode("utf-8"))

#: Attempt times, whole seconds or not, across a wide range of epochs.
attempt_times = st.datetimes(
    min_value=dt.datetime(2001, 1, 1),
    max_value=dt.datetime(2100, 1, 1),
    timezones=st.just(dt.UTC),
)

#: The number of the attempt that just failed (1-based), including past the schedule's end.
failed_attempts = st.integers(min_value=1, max_value=backoff.MAX_ATTEMPTS + 2)

#: Retry-After values a receiver may send, already parsed (None when absent).
retry_afters = st.none() | st.timedeltas(
    min_value=dt.timedelta(0), max_value=dt.timedelta(hours=48)
)

#: Seeds for ``random.Random`` jitter.
seeds = st.integers(min_value=0, max_value=2**32 - 1)
