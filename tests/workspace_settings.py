"""Django settings for the workspace's view tests (pytest-django): the real settings, a throwaway state folder.

Each test points `settings.HERITAGE_WORKSPACE` at its own data folder (the
`workspace` fixture in tests/test_workspace_views.py); passwords are hashed
with a fast hasher only here.
"""

import atexit
import shutil
import tempfile
from pathlib import Path

from geo.workspace.config import Workspace, django_settings

_root = Path(tempfile.mkdtemp(prefix="heritage-workspace-tests-"))
atexit.register(shutil.rmtree, _root, ignore_errors=True)

globals().update(django_settings(Workspace(data_dir=_root / "layers", state_dir=_root / "state", maps_dir=_root / "maps")))
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
