"""The first-run set-up wizard: organisation, partnership, working day, the first user, passphrase, signature,
then the encrypted database is created and the recovery key is shown once, to be printed or saved.

Each page checks its own fields when Next is pressed and says what is wrong next to the field. Nothing is
written until the signature page is left; the recovery-key page cannot be left until the key is put away."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QWidget,
    QWizard,
)

from dsl_desk import APP_NAME
from dsl_desk.core.clock import Clock
from dsl_desk.core.policy import PolicyPack
from dsl_desk.services.context import AppContext
from dsl_desk.services.desk.data_folder import DataPaths
from dsl_desk.services.desk.setup import (
    KdfParams,
    NewUser,
    OrganisationProfile,
    initialise,
)
from dsl_desk.services.errors import DeskError
from dsl_desk.ui.desk.recovery_sheet import RecoveryPage
from dsl_desk.ui.desk.setup_pages import (
    OrganisationPage,
    PartnershipPage,
    PassphrasePage,
    SignaturePage,
    WelcomePage,
    WorkingDayPage,
    YouPage,
)

if TYPE_CHECKING:
    pass


class SetupWizard(QWizard):
    """After a successful finish, `context` holds the signed-in AppContext."""

    def __init__(
        self,
        paths: DataPaths,
        clock: Clock,
        packs: Mapping[str, PolicyPack],
        parent: QWidget | None = None,
        *,
        kdf: KdfParams | None = None,
    ) -> None:
        super().__init__(parent)
        self.paths = paths
        self.clock = clock
        self.packs = packs
        self.kdf = kdf
        self.context: AppContext | None = None
        self.recovery_key = ""
        self.setWindowTitle(self.tr("Set up %s") % APP_NAME)
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        # The database exists by the last page: there is nothing to go back to.
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setButtonText(QWizard.WizardButton.CommitButton, self.tr("&Create my database"))
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("&Start using %s") % APP_NAME)
        for which in (
            QWizard.WizardButton.NextButton,
            QWizard.WizardButton.CommitButton,
            QWizard.WizardButton.FinishButton,
        ):
            # The theme greys out a disabled primary button, so a Finish that is waiting for the tick box
            # looks unavailable instead of looking broken.
            button = self.button(which)
            button.setProperty("primary", True)
            button.style().unpolish(
                button
            )  # the wizard has already styled its buttons: apply the new property
            button.style().polish(button)
        self._add_pages()
        if paths.setup_unfinished():
            self.welcome_page.setSubTitle(
                self.tr("Set-up did not finish last time; start it again. Nothing you entered is lost.")
            )
        self._fit_to_screen()

    def _add_pages(self) -> None:
        self.welcome_page = WelcomePage()
        self.organisation_page = OrganisationPage()
        self.partnership_page = PartnershipPage(self.packs, clock=self.clock)
        self.working_day_page = WorkingDayPage()
        self.you_page = YouPage()
        self.passphrase_page = PassphrasePage()
        self.signature_page = SignaturePage()
        self.recovery_page = RecoveryPage()
        for page in (
            self.welcome_page,
            self.organisation_page,
            self.partnership_page,
            self.working_day_page,
            self.you_page,
            self.passphrase_page,
            self.signature_page,
            self.recovery_page,
        ):
            self.addPage(page)

    def _fit_to_screen(self) -> None:
        # Comfortable on a 1280x800 laptop at 100–150% scaling; never larger than the screen.
        width, height = 960, 680
        screen = QGuiApplication.primaryScreen()
        if screen is not None:
            available = screen.availableGeometry()
            width = min(width, int(available.width() * 0.95))
            height = min(height, int(available.height() * 0.95))
        self.setMinimumSize(min(720, width), min(540, height))
        self.resize(width, height)

    # -- the one service call -----------------------------------------------------------------------------------

    def profile(self) -> OrganisationProfile:
        days = self.working_day_page
        return OrganisationProfile(
            name=self.organisation_page.name_edit.text().strip(),
            agency_type=self.organisation_page.agency_type(),
            partnership_id=self.partnership_page.selected_pack_id(),
            nation=days.nation(),
            cutoff=days.cutoff_edit.time().toPython(),
            working_day_start=days.start_edit.time().toPython(),
            working_day_end=days.end_edit.time().toPython(),
            idle_lock_minutes=days.idle_spin.value(),
        )

    def new_user(self) -> NewUser:
        you = self.you_page
        return NewUser(
            username=you.username_edit.text(),
            display_name=you.name_edit.text().strip(),
            role=you.role_edit.text().strip(),
            passphrase=self.passphrase_page.passphrase(),
            signature_png=self.signature_page.pad.png_bytes(),
        )

    def create_database(self) -> str:
        """Create the encrypted database. Returns "" on success, or the message to show on the page."""
        if self.context is not None:
            return ""  # already created: a second press must not try again
        from dsl_desk.services.paperwork.signing_identity import ensure_signing_identity
        from dsl_desk.ui.operations import run_and_wait

        paths, profile, user, clock, packs, kdf = (
            self.paths, self.profile(), self.new_user(), self.clock, self.packs, self.kdf
        )  # fmt: skip

        def work() -> tuple[AppContext, str, Exception | None]:
            context, recovery_key = initialise(paths, profile, user, clock=clock, packs=packs, kdf=kdf)
            # The certificate the forms are signed with is made now, while the user is waiting anyway.
            try:
                ensure_signing_identity(context)
            except DeskError as error:  # the database exists: keep it, say what failed
                return context, recovery_key, error
            return context, recovery_key, None

        try:
            self.context, self.recovery_key, problem = run_and_wait(
                self, work, label=self.tr("Creating the encrypted database…")
            )
        except DeskError as error:
            problem = error
        if problem is not None:
            return self.tr("%s\n\nGo back to correct it, or close the window and start again.") % problem
        return ""

    def reject(self) -> None:
        if self.context is not None and not self.recovery_page.confirm.isChecked():
            # The key is shown once: closing now would lose it for good.
            self.recovery_page.remind()
            return
        if self.context is not None:
            self.context.close()
            self.context = None
        super().reject()
