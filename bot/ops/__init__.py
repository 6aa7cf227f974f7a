"""Operations: the request id carried through the work, JSON logs without secrets, metrics."""
