"""Question banks. The bank's subject vocabulary is data (the TOML file), never code.

loader.py       the bank file format; load, validate, list, find, and pick questions
check.py        `bank validate`: every problem of a bank file, with its file, question and field
plaintext.py    `bank import`: a plain-text question list into a bank
toml_writer.py  writing a bank back as TOML
probes.py       the one rule for picking one of the bank's own follow-up probes
"""
