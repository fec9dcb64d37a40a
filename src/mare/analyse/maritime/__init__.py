"""Maritime analyses: vessel tracks and behaviour events from AIS (pure; data comes from the hub layer)."""
