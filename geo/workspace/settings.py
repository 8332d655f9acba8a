"""Django settings of the workspace `heritage-map serve` describes in the environment (`geo.workspace.config`)."""

from geo.workspace.config import Workspace, django_settings

globals().update(django_settings(Workspace.from_environ()))
