"""Operations: structured request logs, backups and restores."""
