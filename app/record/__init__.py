"""The negotiation record itself: the tables (``models``), the whole record as one JSON document and its
import and export, what readers may see (``visibility``), and the addresses records have had."""
