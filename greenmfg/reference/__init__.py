"""Deterministic reference filings of the city, calibrated to DOMAIN.md's 2020 figures, with an answer key."""

from greenmfg.reference.answer_key import AnswerKey, FileRecord
from greenmfg.reference.generate import ANSWER_KEY, DEFAULT_SEED, DEFAULT_YEARS, TARGETS, generate

__all__ = ["ANSWER_KEY", "DEFAULT_SEED", "DEFAULT_YEARS", "TARGETS", "AnswerKey", "FileRecord", "generate"]
