"""The catalog (DESIGN.md layer 7): experiments as TOML files that plugins ship, checked against
their schema (:mod:`.schema`) and built into networks, run, checked and drawn (:mod:`.experiment`)."""
