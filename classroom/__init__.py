"""The progress board (進捗ボード): one external hub service per course, run by supervisord as the
course's grader account, showing who has submitted and been scored (read-only; see README.md)."""
