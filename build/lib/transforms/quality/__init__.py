"""Stage 4, quality: Great Expectations validation of staged batches, quarantine of failing rows, Data Docs
(validate.py).
"""
