"""Every number a figure subtitle or a report caption states, computed once as a tidy table."""
