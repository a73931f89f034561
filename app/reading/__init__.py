"""What readers are shown: one service per screen (``comparison``, ``timeline``, ``rounds``, ``topics``,
``parties``), the shapes they return (``schemas``), and the batch loader they share (``lookup``).

A service takes a session and keyword arguments and returns a schema; the HTML page and its JSON twin
render the same object."""
