"""The HTML report of a warehouse: data.py reads it, charts.py draws the plotly charts, render.py fills the
Jinja2 template in templates/ (autoescaped) and writes the page atomically.
"""
