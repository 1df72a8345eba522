"""The engines that evaluate rules.

Single entity (this session):

- ``huiqi.engine.profile.load_profile(path)`` / ``parse_profile(dict)`` -> ``Profile`` (``ProfileError``
  lists every bad field)
- ``huiqi.engine.evaluate.calculate(book, profile, year, explain=True, near_misses=True,
  documents=None)`` -> ``Calculation`` (``.items``: status, amount_fen, cap_fen, missing, why_not,
  trace; ``.total_fen``; ``.near_misses``; ``.to_json()``). ``explain=False`` is the bulk path.
"""
