"""Question banks. The bank's subject vocabulary is data (the TOML file), never code.

loader.py       the bank file format; load, validate, list, find, and pick questions
check.py        validating a parsed bank file (every error, naming file, question and field) and
                building its domain objects
plaintext.py    `bank import`: a plain-text question list into a bank
toml_writer.py  writing a bank back as TOML
calibration.py  a bank's calibration set (<bank>.calibration.toml) for `calibrate`
probes.py       the one rule for picking one of the bank's own follow-up probes
"""
