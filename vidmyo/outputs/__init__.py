"""Writers for what an analysis produces: events.json, events.csv, and the landmarks file."""
