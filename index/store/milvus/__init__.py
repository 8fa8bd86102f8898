"""VECTOR_STORE=milvus: a version is a set of Milvus collections behind an alias; `add` and
`remove` write in place (`in_place`). pymilvus is imported only by a process that uses it."""
