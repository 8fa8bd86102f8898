"""Articles: the record (`article`), reading files and folders (`files`), and turning one
file or JSON record of any supported format into an article (`formats`)."""
