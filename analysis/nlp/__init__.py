"""The spaCy pipeline and its data-driven components."""
