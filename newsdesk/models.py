"""The kit has no models of its own. This module is here so that Django sends the app
post_migrate (it skips apps without a models module), on which the roles' groups are
brought up to date (newsdesk.roles.sync_after_migrate), after a migrate or a flush."""
