"""Where index versions live, behind one contract: what a loaded version offers search
(`version`), choosing and loading FAISS or Milvus (`factory`), following the live version
(`live_version`), the manifest (`manifest`), publishing a version folder atomically
(`publish`), the SQLite metadata of a version (`metadata`); each store beneath (`faiss/`,
`milvus/`)."""
