"""Topics page (being built)."""
import streamlit as st

st.title("Topics")
st.info("This page is being built.")
