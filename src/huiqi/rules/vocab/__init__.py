"""Each document's own facts and events, one module per document (``doc_001.py`` …).

A module defines ``FACTS`` (a tuple of ``FactSpec``) and/or ``EVENTS`` (a tuple of ``EventSpec``),
built with the types of :mod:`huiqi.rules.factspec`; :mod:`huiqi.rules.facts` collects them all into
the one vocabulary. Facts several documents read (R&D spending, the district, the industry) live in
``huiqi.rules.facts`` itself; a name is declared once in the whole vocabulary.

A module may also add allowed codes to a coded fact or event attribute declared elsewhere, with
``CODES = {"enterprise_title.title": ("瞪羚企业",), "carrier_type": ("加速器",)}`` (``fact`` or
``event_type.attribute``), rather than declaring a second fact for the same meaning.
"""
