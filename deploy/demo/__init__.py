"""The demo's data and its seeder, outside the production packages: `python -m deploy.demo --help`.

Nothing is imported here: `python -m deploy.demo` imports this package before Django is set up, and
the seeder needs the apps ready.
"""
