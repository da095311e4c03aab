"""What the demo prints: the set-up summary, the banner with what to ``curl``, the outcome."""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from api.demo import gazetteer, moves, sample
from api.demo import receivers as receivers_

if TYPE_CHECKING:
    from api.demo.run import Options


def shown_url(database_url: str) -> str:
    return sa.make_url(database_url).render_as_string(hide_password=True)


def prepared(loaded: gazetteer.Loaded, inboxes: Sequence[receivers_.Inbox]) -> str:
    if loaded.unchanged:
        gazetteer_line = "Sample gazetteer: already loaded."
    else:
        gazetteer_line = (
            f"Sample gazetteer loaded: {loaded.addresses} AddressBase records, "
            f"{loaded.postcodes} postcodes, {loaded.areas} boundary changes."
        )
    return "\n".join(
        [
            gazetteer_line,
            f"Demo partners registered: {len(inboxes)} partner services, each with a receiver.",
        ]
    )


def banner(
    *, base_url: str, options: Options, agent_key: str, receivers_base: str, file_drop: Path
) -> str:
    sample_file = options.work_dir / moves.SAMPLE_FILE
    auth = '-H "Authorization: Bearer $KEY"'
    lines = [
        "",
        "addresshub demo is running.",
        "",
        f"  API        {base_url}   (interactive docs: {base_url}/docs)",
        f"  receivers  {receivers_base}/...   (each prints what it verifies and receives)",
        f"  logs       {options.work_dir / 'logs'}",
        f"  file drop  {file_drop}   (CSV batches of file_drop subscriptions)",
        "",
        "In another shell, take the agent API key made for this run:",
        f"  KEY={agent_key}",
        f"look up the sample's new address (UPRN {moves.NEW_UPRN}, a flat in Exmouth):",
        f"  curl -sS {auth} {base_url}/v1/addresses/{moves.NEW_UPRN}",
        f"report a move to it from Exeter (UPRN {moves.OLD_UPRN}) and watch it fan out below:",
        f"  curl -sS {auth} -H 'Content-Type: application/json' "
        f'-H "Idempotency-Key: demo-$(date +%s)" -d @{_quoted(sample_file)} {base_url}/v1/moves',
        "and follow it with the reference it answers:",
        f"  curl -sS {auth} {base_url}/v1/moves/REFERENCE",
        "",
        attribution_block(),
        "",
    ]
    if not options.once:
        lines.append("Press Ctrl-C to stop.")
    return "\n".join(lines)


def _quoted(path: Path) -> str:
    return shlex.quote(str(path))


def attribution_block() -> str:
    """The Code-Point Open licence statement, exactly as supplied, under a heading."""
    return (
        "Postcodes and their points: Code-Point Open, under the Open Government Licence.\n"
        + sample.attribution()
    )


def outcome(document: Mapping[str, Any]) -> str:
    lines = [f"Move {document['reference']}:"]
    for recipient in document["recipients"]:
        received = recipient["received"]
        if recipient["decision"] == "send" and recipient.get("channel") == "file_drop":
            state = f"told: {len(received)} row(s) in {received[0]['file']} (file drop)"
        elif recipient["decision"] == "send":
            state = f"told: {len(received)} event(s) received, signature verified"
        else:
            reasons = ", ".join(recipient["reasons"]) or "no reason given"
            state = f"not told ({reasons}); {len(received)} event(s) received"
        lines.append(f"  {recipient['partner_service_id']:<34} {state}")
    lines.append("Every permitted receiver has the move; no other receiver got anything.")
    return "\n".join(lines)
