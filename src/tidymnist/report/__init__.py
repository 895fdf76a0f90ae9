"""The HTML article built from the tables and figures."""
