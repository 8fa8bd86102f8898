"""VECTOR_STORE=faiss (the default): a version is a folder of files, FAISS vectors beside the
SQLite metadata and the BM25 index, switched in by a symbolic link."""
