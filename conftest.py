"""Repository-wide pytest setup.

Home Assistant's loader does `import custom_components`; the test plugin puts its own
testing_config first on sys.path while the `hass` fixture starts, and its regular
`custom_components` package would then hide ours. Importing ours first keeps it.
"""

import custom_components  # noqa: F401
