"""A friendly strength meter for a new passphrase: the app's one rule (services.setup.passphrase_problem) decides
whether it is allowed; the meter only encourages something longer."""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QVBoxLayout, QWidget

from dsl_desk.services.desk.setup import MIN_PASSPHRASE_LENGTH, passphrase_problem
from dsl_desk.ui import theme


@dataclass(frozen=True)
class Strength:
    score: int  # 0 (not allowed, or empty) to 4 (strong)
    problem: str  # the app's rule, in its own words, when the passphrase is not allowed


# Rough guessing cost in bits. Not a security proof: a nudge toward four unrelated words.
_FAIR_BITS = 50
_GOOD_BITS = 70
_STRONG_BITS = 100
_COLOURS = {0: theme.OVERDUE, 1: theme.DUE_TODAY, 2: theme.SOON, 3: theme.OK, 4: theme.OK}


def estimate_bits(passphrase: str) -> float:
    """Length times the log of the character pool; repeated characters count once toward the pool."""
    pool = 0
    if any(c.islower() for c in passphrase):
        pool += 26
    if any(c.isupper() for c in passphrase):
        pool += 26
    if any(c.isdigit() for c in passphrase):
        pool += 10
    if any(not c.isalnum() for c in passphrase):
        pool += 20
    distinct = len(set(passphrase))
    # A long passphrase made of few distinct characters (aaaa…, 1212…) is weak whatever its length.
    effective_length = min(len(passphrase), distinct * 3)
    return effective_length * math.log2(pool) if pool else 0.0


def assess(passphrase: str) -> Strength:
    if not passphrase:
        return Strength(0, "")
    problem = passphrase_problem(passphrase)
    if problem:
        return Strength(0, problem)
    bits = estimate_bits(passphrase)
    if bits < _FAIR_BITS:
        return Strength(1, "")
    if bits < _GOOD_BITS:
        return Strength(2, "")
    if bits < _STRONG_BITS:
        return Strength(3, "")
    return Strength(4, "")


class PassphraseStrength(QWidget):
    """A bar and a sentence under a passphrase field. Call `set_passphrase` on every edit."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        row = QHBoxLayout()
        self.bar = QProgressBar()
        self.bar.setRange(0, 4)
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(10)
        self.bar.setAccessibleName(self.tr("Passphrase strength"))
        row.addWidget(self.bar, 1)
        self.words = QLabel()
        self.words.setMinimumWidth(self.words.fontMetrics().horizontalAdvance("Not allowed yet") + 12)
        row.addWidget(self.words)
        layout.addLayout(row)
        self.advice = QLabel(objectName="hint", wordWrap=True)
        self.advice.setTextFormat(Qt.TextFormat.PlainText)
        # Room for two lines from the start, so the form below does not jump as the advice changes.
        self.advice.setMinimumHeight(self.advice.fontMetrics().lineSpacing() * 2)
        layout.addWidget(self.advice)
        self.set_passphrase("")

    def set_passphrase(self, passphrase: str) -> None:
        strength = assess(passphrase)
        self.strength = strength
        words, advice = self._texts(strength, passphrase)
        colour = _COLOURS[strength.score]
        # Even a not-allowed passphrase shows a sliver of bar, so the meter is visibly reacting to typing.
        self.bar.setValue(max(strength.score, 1 if passphrase else 0))
        self.bar.setStyleSheet(
            "QProgressBar { border: 1px solid #c5ccd5; border-radius: 4px; background: #eef1f5; }"
            f"QProgressBar::chunk {{ background: {colour}; border-radius: 3px; }}"
        )
        self.words.setText(words)
        self.words.setStyleSheet(f"color: {colour}; font-weight: 600;")
        self.advice.setText(advice)
        self.bar.setAccessibleDescription(words)

    def _texts(self, strength: Strength, passphrase: str) -> tuple[str, str]:
        if not passphrase:
            return "", self.tr("Three or four unrelated words make a passphrase easy to remember.")
        if strength.problem:
            # A live count rather than the rule's full sentence: the form shows that next to the field on Next.
            if len(passphrase) < MIN_PASSPHRASE_LENGTH:
                return self.tr("Not allowed yet"), self.tr("%d of at least %d characters.") % (
                    len(passphrase),
                    MIN_PASSPHRASE_LENGTH,
                )
            return self.tr("Not allowed yet"), self.tr("Too predictable: it repeats the same few characters.")
        return {
            1: (self.tr("Weak"), self.tr("Allowed, but easy to guess. Add another unrelated word.")),
            2: (
                self.tr("Fair"),
                self.tr("Allowed. One more unrelated word would make it much harder to guess."),
            ),
            3: (self.tr("Good"), self.tr("A good passphrase.")),
            4: (self.tr("Strong"), self.tr("A strong passphrase.")),
        }[strength.score]
