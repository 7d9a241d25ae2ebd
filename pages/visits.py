"""Visits page (being built)."""
import streamlit as st

st.title("Visits")
st.info("This page is being built.")
