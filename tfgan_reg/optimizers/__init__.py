"""Competitive optimisers (docs/METHODS.md section 3): `CGD`, `ACGD`, and their building blocks."""
from tfgan_reg.optimizers import hvp
from tfgan_reg.optimizers.cgd import ACGD, CGD, CompetitiveOptimizer

JOINT = {"cgd": CGD, "acgd": ACGD}

__all__ = ["ACGD", "CGD", "CompetitiveOptimizer", "JOINT", "hvp"]
