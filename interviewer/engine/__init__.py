"""The interview engine: session, state fold, the grading path, events, cancellation."""
