"""The Qt-free core: forms, validation, storage. The CLI and the GUI are clients of it."""
