# Registers chatdesk: links for the current user (no administrator needed), as the Windows
# installer must: HKCU\Software\Classes\chatdesk says it is a URL protocol and which program
# opens it, `chatdesk-window.exe --open "%1"`, which hands the link to the running chatdesk
# (chatdesk/core/handover.py). Run it with the folder chatdesk was installed to:
#   powershell -ExecutionPolicy Bypass -File register-links.ps1 -InstallDir "C:\...\chatdesk"
# and with -Remove to take the registration away again (what the uninstaller must do).
param(
    [Parameter(Mandatory = $true)][string]$InstallDir,
    [switch]$Remove
)
$ErrorActionPreference = "Stop"
$key = "HKCU:\Software\Classes\chatdesk"
if ($Remove) {
    if (Test-Path $key) { Remove-Item -Path $key -Recurse }
    exit 0
}
$exe = Join-Path $InstallDir "chatdesk-window.exe"
if (-not (Test-Path $exe)) { throw "no chatdesk-window.exe in $InstallDir" }
New-Item -Path $key -Force | Out-Null
Set-ItemProperty -Path $key -Name "(default)" -Value "URL:chatdesk link"
Set-ItemProperty -Path $key -Name "URL Protocol" -Value ""
New-Item -Path "$key\DefaultIcon" -Force | Out-Null
Set-ItemProperty -Path "$key\DefaultIcon" -Name "(default)" -Value "`"$exe`",0"
New-Item -Path "$key\shell\open\command" -Force | Out-Null
Set-ItemProperty -Path "$key\shell\open\command" -Name "(default)" -Value "`"$exe`" --open `"%1`""
