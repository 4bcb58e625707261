"""Knowledge as data: every word list and table the extractors and the cleaner use (CSV / TOML files in
this folder).
"""
