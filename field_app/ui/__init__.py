"""The Qt shell: thin widgets over field_app.core. All Qt imports pass through ui/qt.py."""
