"""The talent registry: regions, units and persons."""
