"""The operator's import and export commands (`imghost import links|account|archive`, `imghost export`):
argument handling, progress and the final report. The work itself is in domain/imports, through the
same services as every other surface."""
