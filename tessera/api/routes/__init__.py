"""API routers, one module per area; each route parses, calls one service function, answers."""

from tessera.api.routes import (
    access,
    admin,
    auth,
    catalogue,
    clues,
    faces,
    jobs,
    links,
    notifications,
    places,
    search,
    stats,
    triage,
)

ROUTERS = [auth.router, jobs.router, catalogue.router, search.router, faces.router,
           notifications.router, admin.router, triage.router, stats.router,
           links.router, access.router, places.router, clues.router]
