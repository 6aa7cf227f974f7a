"""The policy knowledge base: ingestion, hybrid retrieval over Chroma, and citations.

Nothing heavy is imported here: Chroma, onnxruntime and bm25s load only when an index is
built or searched, so commands that do not search (``capexbot check``) stay fast.
"""
