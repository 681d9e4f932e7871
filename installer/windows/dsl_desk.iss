; Inno Setup 6 script for DSL Desk: a per-user installer that needs no administrator rights.
;
; Do not run this file as it is: installer/build.py fills the @PLACEHOLDERS@ from pyproject.toml and
; the PyInstaller output, writes build/dsl_desk.iss and runs ISCC on it:
;     python installer/build.py windows
;
; Where things go (school laptops: the user is not an administrator):
;   program     {localappdata}\Programs\DSL Desk          (replaced on upgrade, removed on uninstall)
;   user data   {localappdata}\DSL Desk\DSL Desk          (platformdirs' user_data_dir, roaming=False:
;               the encrypted database, its key file, backups, drafts). The installer never writes there;
;               the uninstaller leaves it alone unless the user ticks "Also delete my DSL Desk data".

#define AppName "@APP_NAME@"
#define AppVersion "@APP_VERSION@"
#define AppExe "@APP_EXE@"
#define OutputBase "@OUTPUT_BASE@"
#define SourceDir "@SOURCE_DIR@"
#define BeforeInstall "@LICENSE_NOTE@"

[Setup]
; The AppId identifies the installation across versions: never change it (upgrades would install twice).
AppId={{6F1E4C2A-9B7D-4E61-A3C5-2D8F0B7E5A19}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppName}
VersionInfoVersion={#AppVersion}
PrivilegesRequired=lowest
DefaultDirName={localappdata}\Programs\{#AppName}
DisableDirPage=auto
DisableProgramGroupPage=yes
UsedUserAreasWarning=no
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputBaseFilename={#OutputBase}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
InfoBeforeFile={#BeforeInstall}
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
; Windows' Restart Manager closes a running DSL Desk before files are replaced (it saves as it goes).
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the whole program folder, so no module of an older version is left to be imported.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; Comment: "Safeguarding escalations for Designated Safeguarding Leads"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
Type: filesandordirs; Name: "{app}\_internal"

[Code]
var
  DeleteUserData: Boolean;

function UserDataDir(): String;
begin
  { The same folder as platformdirs.user_data_dir("DSL Desk", "DSL Desk", roaming=False). }
  Result := ExpandConstant('{localappdata}\DSL Desk\DSL Desk');
end;

{ A small form with a box the user must tick: deleting safeguarding records is never the default. }
function AskToDeleteUserData(): Boolean;
var
  Form: TSetupForm;
  Note: TNewStaticText;
  Box: TNewCheckBox;
  OkButton: TNewButton;
begin
  Result := False;
  Form := CreateCustomForm();
  try
    Form.ClientWidth := ScaleX(460);
    Form.ClientHeight := ScaleY(190);
    Form.Caption := 'Uninstall DSL Desk';

    Note := TNewStaticText.Create(Form);
    Note.Parent := Form;
    Note.Left := ScaleX(16);
    Note.Top := ScaleY(16);
    Note.Width := Form.ClientWidth - ScaleX(32);
    Note.AutoSize := False;
    Note.WordWrap := True;
    Note.Height := ScaleY(84);
    Note.Caption := 'DSL Desk is being removed. Your records (the encrypted database, its key file and backups) ' +
      'are kept in ' + UserDataDir() + ', so a new installation opens them again.' + #13#10#13#10 +
      'Only tick the box if you have a backup elsewhere or the records are no longer needed.';

    Box := TNewCheckBox.Create(Form);
    Box.Parent := Form;
    Box.Left := ScaleX(16);
    Box.Top := ScaleY(110);
    Box.Width := Form.ClientWidth - ScaleX(32);
    Box.Height := ScaleY(20);
    Box.Caption := 'Also delete my DSL Desk data (this cannot be undone)';
    Box.Checked := False;

    OkButton := TNewButton.Create(Form);
    OkButton.Parent := Form;
    OkButton.Width := ScaleX(90);
    OkButton.Height := ScaleY(26);
    OkButton.Left := Form.ClientWidth - OkButton.Width - ScaleX(16);
    OkButton.Top := Form.ClientHeight - OkButton.Height - ScaleY(14);
    OkButton.Caption := 'Continue';
    OkButton.ModalResult := mrOk;
    OkButton.Default := True;

    Form.ActiveControl := OkButton;
    if Form.ShowModal() = mrOk then
      Result := Box.Checked;
  finally
    Form.Free();
  end;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if CurUninstallStep = usUninstall then
  begin
    DeleteUserData := False;
    { A silent uninstall (IT scripts, upgrades by a deployment tool) always keeps the data. }
    if (not UninstallSilent()) and DirExists(UserDataDir()) then
      if AskToDeleteUserData() then
        DeleteUserData := MsgBox('Delete every DSL Desk record in ' + UserDataDir() + '?' + #13#10#13#10 +
          'They cannot be recovered afterwards unless you have a backup elsewhere.',
          mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES;
  end;
  if (CurUninstallStep = usPostUninstall) and DeleteUserData then
  begin
    if not DelTree(UserDataDir(), True, True, True) then
      MsgBox('Some files in ' + UserDataDir() + ' could not be deleted (is DSL Desk still open?). ' +
        'Delete the folder by hand if you no longer need it.', mbError, MB_OK);
    { Remove the parent "DSL Desk" folder too if nothing else is in it. }
    RemoveDir(ExpandConstant('{localappdata}\DSL Desk'));
  end;
end;
