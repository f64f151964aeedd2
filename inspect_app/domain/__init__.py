"""Pure domain rules: risk grading, the action workflow, checklist completeness."""
