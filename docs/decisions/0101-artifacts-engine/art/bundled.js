window.bundledLoaded = true;
