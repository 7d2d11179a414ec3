"""Where frames come from: files and folders (camera and drop-folder daemon come later)."""
