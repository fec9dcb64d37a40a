"""Scenario generator: a synthetic smuggling world, the agencies' contributions, ground truth."""

from mare.scenario.describe import describe, describe_table
from mare.scenario.generate import ScenarioSummary, generate
from mare.scenario.params import SCALES

__all__ = ["SCALES", "ScenarioSummary", "describe", "describe_table", "generate"]
