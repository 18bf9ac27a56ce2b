"""The endpoints: one module per API call family (chat, embeddings, rerank, ...)."""
