"""Record every read by an auditor (being written)."""


def init_readlog(app) -> None:
    """Hook the recording of auditors' reads into the app."""
