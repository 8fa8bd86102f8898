"""The read side: the search pipeline (`news_index`), ranking and fusion of dense and BM25
candidates (`ranking`), topic matching for alerts (`topic_matching`), relevance labels
(`relevance`), what a search cites (`hits`), and the time a question asks about (`time_phrases`)."""
