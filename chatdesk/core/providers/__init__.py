"""Model providers behind one protocol: the offline mock and OpenAI-compatible servers."""
