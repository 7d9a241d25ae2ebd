"""Evaluation and benchmark commands (``python -m analysis evaluate ...``, ``bench ...``).

- :mod:`.html` HTML cleaning against the gold page sets;
- :mod:`.nlp` NER on CoNLL-2003, the seed page against its gold file, extraction speed;
- :mod:`.visits` visit precision and recall on the annotated AG News development rows;
- :mod:`.bench` what the views and the network cost on a store.

The one layer that may import every other (it measures them); nothing imports it but the CLI.
"""
