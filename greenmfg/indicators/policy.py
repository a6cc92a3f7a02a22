"""Policy thresholds and caps, each declared once with its source (validation reads the same constants)."""

from __future__ import annotations

# Enterprises above designated size (规模以上工业企业): annual main-business revenue of at least
# 20 million yuan, the National Bureau of Statistics rule since 2011 (5 million before). DOMAIN.md.
ABOVE_SIZE_REVENUE_10K_YUAN: float = 2000.0
ABOVE_SIZE_RULE_FROM_YEAR: int = 2011
ABOVE_SIZE_REVENUE_BEFORE_RULE_10K_YUAN: float = 500.0

# Award for a national green manufacturing model: up to 10 million yuan (DOMAIN.md headline figures).
MODEL_AWARD_CAP_10K_YUAN: float = 1000.0

# Equipment-investment subsidy for green transformation: 10 % of the investment, at most
# 5 million yuan (DOMAIN.md headline figures).
SUBSIDY_RATE_CAP: float = 0.10
SUBSIDY_CAP_10K_YUAN: float = 500.0

# Lowest Huzhou star level counted as an accredited green plant. DOMAIN.md: not stated by the
# bureau; 3★ is the municipal green factory level, the lowest accreditation, hence the default.
STAR_THRESHOLD: int = 3

# Amounts are compared with caps to within 0.01 yuan, so a grant of exactly the cap is not flagged
# because of floating-point noise (10 % of an investment is rarely exact in binary).
CAP_TOLERANCE_10K_YUAN: float = 1e-6


def above_size_revenue_10k_yuan(year: int) -> float:
    """Revenue threshold of the above-size rule in force in `year`."""
    if year >= ABOVE_SIZE_RULE_FROM_YEAR:
        return ABOVE_SIZE_REVENUE_10K_YUAN
    return ABOVE_SIZE_REVENUE_BEFORE_RULE_10K_YUAN
