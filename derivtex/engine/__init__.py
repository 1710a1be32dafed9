"""Engine: the index method's rules, each adding a Step record, and the identity method."""
