from sqlalchemy import text

from tessera.context import Context
from tessera.store import audit


def test_chain_detects_edit_and_deletion(ctx: Context) -> None:
    with ctx.db.session() as s:
        for i in range(5):
            audit.append(s, "alice", "media.view", f"media:{i}", agency="AU")
    with ctx.db.session() as s:
        assert audit.verify(s).ok
    with ctx.db.session() as s:
        s.execute(text("UPDATE audit_event SET actor = 'mallory' WHERE object = 'media:2'"))
    with ctx.db.session() as s:
        report = audit.verify(s)
        assert not report.ok and any("edited" in p for p in report.problems)
        s.execute(text("UPDATE audit_event SET actor = 'alice' WHERE object = 'media:2'"))
    with ctx.db.session() as s:
        assert audit.verify(s).ok
        s.execute(text("DELETE FROM audit_event WHERE object = 'media:3'"))
    with ctx.db.session() as s:
        report = audit.verify(s)
        assert not report.ok and any("deleted" in p for p in report.problems)
