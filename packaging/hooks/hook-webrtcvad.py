"""webrtcvad comes from the `webrtcvad-wheels` distribution (the maintained builds of it), whose
metadata PyInstaller's contributed hook looks for under the name `webrtcvad` and does not find;
this hook, found first, copies the right one."""

from PyInstaller.utils.hooks import copy_metadata

datas = copy_metadata("webrtcvad-wheels")
