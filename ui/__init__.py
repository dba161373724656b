"""Streamlit building blocks shared by the pages (no SQL here; data comes from data_access)."""
