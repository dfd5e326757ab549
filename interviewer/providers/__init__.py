"""LLM providers behind one protocol (`base.Provider`). SDKs are imported only when built."""
