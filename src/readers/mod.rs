//! Store readers: Chromium LevelDB Local Storage, SQLite copies (cookies, LSNG).
