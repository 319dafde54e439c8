//! Run records and their exports: JSON, Markdown, HTML, redacted by default.
