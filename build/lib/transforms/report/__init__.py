"""The HTML report of a warehouse (render.py).
"""
