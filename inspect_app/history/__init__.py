"""The audit trail's pages (blueprint ``audit``, ``/audit``): they read every feature's records to
filter and name them, so they sit above the features; ``audit`` itself (the append-only log, its
guard and ``record``) is a foundation every feature writes to and imports no feature.
"""
