"""The owner roll end to end: upload through the page and the API, notice, objections, corrections, freezing."""
