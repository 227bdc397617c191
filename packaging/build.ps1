# Build the desktop app on Windows: dist\chatdesk\ (a PyInstaller one-folder build with
# chatdesk.exe, the command line, and chatdesk-window.exe, the window without a console) and
# dist\chatdesk-<version>-windows-<arch>.zip of that folder. Linux and macOS: packaging/build.sh.
#
#   powershell -ExecutionPolicy Bypass -File packaging\build.ps1 [-NoZip]
#
# chatdesk and PyInstaller are installed into a venv of their own (build\freeze\venv), from the
# checkout as a wheel, so the build holds exactly what `pip install ".[formulas]"` installs
# (the desktop build cannot fetch an extra, and draws formulas: decision 0075).
param([switch]$NoZip)
$ErrorActionPreference = "Stop"
$root = (Resolve-Path "$PSScriptRoot\..").Path
$work = "$root\build\freeze"
$venv = "$work\venv"
$python = if ($env:PYTHON) { $env:PYTHON } else { "py" }

$started = Get-Date
if (-not (Test-Path "$venv\Scripts\python.exe")) {
    & $python -m venv $venv
    if ($LASTEXITCODE) { throw "cannot make the build venv" }
}
$env:PIP_DISABLE_PIP_VERSION_CHECK = "1"
& "$venv\Scripts\python.exe" -m pip install -q "$root[formulas]" "pyinstaller>=6.10,<7"
if ($LASTEXITCODE) { throw "pip failed" }
& "$venv\Scripts\python.exe" -m pip install -q --force-reinstall --no-deps $root
if ($LASTEXITCODE) { throw "pip failed" }

# From the work folder, so PyInstaller's helpers find the installed chatdesk with its data.
New-Item -ItemType Directory -Force $work | Out-Null
Push-Location $work
try {
    & "$venv\Scripts\pyinstaller.exe" --noconfirm --log-level WARN `
        --distpath "$root\dist" --workpath "$work\pyinstaller" "$root\packaging\chatdesk.spec"
    if ($LASTEXITCODE) { throw "pyinstaller failed" }
} finally {
    Pop-Location
}
$app = "$root\dist\chatdesk"  # Pillow (a dependency of matplotlib) turned the PNG icon into an .ico
$seconds = [int]((Get-Date) - $started).TotalSeconds
Write-Output "built $app in $seconds s"

if (-not $NoZip) {
    $version = & "$venv\Scripts\python.exe" -c "import chatdesk; print(chatdesk.__version__)"
    $arch = $env:PROCESSOR_ARCHITECTURE.ToLower()
    $zip = "$root\dist\chatdesk-$version-windows-$arch.zip"
    Compress-Archive -Force -Path $app -DestinationPath $zip
    Write-Output "packed $zip"
}
