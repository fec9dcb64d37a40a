"""Normalisers: one per property type; each keeps the original and gives a reason on failure."""

from mare.schema.types.result import EMPTY_CONTEXT, NormaliseContext, Normalised, Normaliser

__all__ = ["EMPTY_CONTEXT", "NormaliseContext", "Normalised", "Normaliser"]
