"""Profiles page (being built)."""
import streamlit as st

st.title("Profiles")
st.info("This page is being built.")
