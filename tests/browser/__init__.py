"""The browser suite: the built example site as readers and machines see it."""
