"""Documents: MRZ checks against the visual zone, and rented, reused and impostor documents.

Pure analyses over values handed to them (by `mare.hub.documents` for the hub, or read from a
file by the CLI): `mrz_check` (one verdict per check of one document), `mrz_file` (MRZ blocks in
a text file), `names` (holder against presenter), `reuse` (the same document presented by
several persons or on more legs than one holder could travel).
"""
