"""retrust: couples therapy for trust issues, for partners and their clinician."""

__version__ = "0.1.0"
