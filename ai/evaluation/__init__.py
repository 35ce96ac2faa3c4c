"""The evaluation of the AI features on the labelled set in eval/ (`manage.py evaluate`).

`metrics` holds the measures (pure functions), `facts` what a tailoring or a translation kept
and invented, `runner` loads the set and calls the engine through `ai.gateway`, and `report`
prints the table, checks the thresholds and writes the JSON.
"""
