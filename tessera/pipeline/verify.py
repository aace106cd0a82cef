"""Re-read every stored original, and every derivative made from one (video keyframes and
contact sheets), and check it against its SHA-256 (and its AES-GCM tags)."""

from __future__ import annotations

from dataclasses import dataclass, field

from tessera.context import Context
from tessera.pipeline.progress import NoProgress, Progress
from tessera.store import audit, repos


@dataclass
class VerifyReport:
    checked: int = 0
    problems: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_evidence(ctx: Context, progress: Progress | None = None) -> VerifyReport:
    progress = progress or NoProgress()
    blobs = ctx.blobs()
    report = VerifyReport()
    with ctx.db.session() as s:
        progress.start(repos.evidence_count(s), "verify")
        for media_id, sha256 in repos.all_media_sha256(s):
            problem = blobs.verify(sha256)
            report.checked += 1
            if problem:
                report.problems.append((media_id, sha256, problem))
            progress.advance()
        for media_id, sha256, kind in repos.all_derivatives(s):
            problem = blobs.verify(sha256)
            report.checked += 1
            if problem:
                report.problems.append((media_id, sha256, f"{kind}: {problem}"))
            progress.advance()
        progress.stop()
        audit.append(s, ctx.actor, "evidence.verify", None,
                     outcome="ok" if report.ok else "failed",
                     details={"checked": report.checked, "problems": len(report.problems)})
    return report
