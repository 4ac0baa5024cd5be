"""Keep a learner's real AWS credentials out of the lab, and give them back afterwards.

While a lab is open, every variable through which botocore could find real credentials, a
profile, a config file or a real endpoint is removed from the environment, the shared config and
credentials files point at nothing (and so does boto 2's ``~/.boto``, which botocore's chain
still reads before a container's credentials), the instance-metadata lookup is off, and boto3's
default session is dropped (it may have cached real credentials). The lab's own credentials for the
learner take their place, so plain ``boto3.client(...)`` in a notebook acts as the simulated
account's administrator. Closing the lab restores exactly what was there. Nothing here reads the
values it removes, and none of them is ever printed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import boto3

# botocore's credential chain and configuration, by environment variable
# (https://docs.aws.amazon.com/sdkref/latest/guide/settings-reference.html).
REMOVED_PREFIXES = ("AWS_", "BOTO_")
LAB_SETTINGS = {
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "BOTO_CONFIG": os.devnull,  # botocore.credentials.BotoProvider: /etc/boto.cfg, ~/.boto
    "AWS_EC2_METADATA_DISABLED": "true",
    # No retries: a refused call answers at once and appears once in the trace. In botocore's
    # legacy retry mode a one-attempt limit is reported ("reached max retries") only for an error
    # that would have been retried; its standard mode reports it on every error, words that a
    # NoSuchEntity never carries on AWS (botocore/retryhandler.py, MaxAttemptsDecorator).
    "AWS_RETRY_MODE": "legacy",
    "AWS_MAX_ATTEMPTS": "1",
}


class IsolatedEnvironment:
    """Swap the process environment's AWS settings for the lab's, and back."""

    def __init__(self) -> None:
        self._saved: dict[str, str] | None = None
        self._saved_session: object | None = None

    @property
    def active(self) -> bool:
        return self._saved is not None

    def enter(self, lab_settings: Mapping[str, str]) -> None:
        if self._saved is not None:
            return
        self._saved = {k: v for k, v in os.environ.items() if k.startswith(REMOVED_PREFIXES)}
        for key in self._saved:
            del os.environ[key]
        os.environ.update(LAB_SETTINGS)
        os.environ.update(lab_settings)
        self._saved_session = boto3.DEFAULT_SESSION
        boto3.DEFAULT_SESSION = None

    def exit(self) -> None:
        if self._saved is None:
            return
        for key in [k for k in os.environ if k.startswith(REMOVED_PREFIXES)]:
            del os.environ[key]
        os.environ.update(self._saved)
        self._saved = None
        # The session from before the lab may still hold what it resolved back then; it is
        # handed back untouched, and nothing made inside the lab survives.
        boto3.DEFAULT_SESSION = self._saved_session  # type: ignore[assignment]
        self._saved_session = None
