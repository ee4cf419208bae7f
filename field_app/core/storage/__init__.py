"""Storage: one SQLite file per survey project, reached only through `Project`."""

from .migrations import SCHEMA_VERSION
from .project import Cancelled, FormChange, Project, SaveResult, open_project

__all__ = ["Project", "SaveResult", "FormChange", "Cancelled", "open_project", "SCHEMA_VERSION"]
