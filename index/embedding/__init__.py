"""Texts to vectors: the model interface and its torch build (`model`), onnxruntime (`onnx_model`,
`onnx_export`), the persistent vector cache (`cache`), sentence vectors pooled from a passage's
forward pass (`sentence_vectors`), and questions encoded together (`query_batcher`)."""
