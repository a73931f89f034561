"""The negotiation record itself: the tables (``models``), the whole record as one JSON document and its
import and export, the ``codebook`` that describes it, what readers may see (``visibility``), and
the addresses records have had."""
