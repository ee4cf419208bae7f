"""Storage: one SQLite file per survey project, reached only through `Project`."""

from .migrations import SCHEMA_VERSION
from .bulk import Cancelled
from .project import FormChange, Project, SaveResult, open_project

__all__ = ["Project", "SaveResult", "FormChange", "Cancelled", "open_project", "SCHEMA_VERSION"]
