"""The CV document: the JSON every layer reads and writes (schema, validation, normalisation).

Pure Python: no models, no requests. The CV app stores documents; the AI engine reads and writes
them; exports render them.
"""
