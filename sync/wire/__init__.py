"""The wire contracts between nodes and hub, written once: the keys, limits and forward-only rules of
every payload. Pure Python (no Django), so both sides, the SQL migrations and the tests import them.

One module per entity family (`cases`, `directory`, `disaster`, `tours`, `introductions`, `referrals`,
`trainings`, `networks`), the batch envelope (`batch`), the `Contract` they are written with (`contract`), the
registry of entity types (`registry`) and the forward-only SQL generated from the status orders (`sql`).
"""
