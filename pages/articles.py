"""Articles page (being built)."""
import streamlit as st

st.title("Articles")
st.info("This page is being built.")
