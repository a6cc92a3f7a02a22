"""Notifications through Prefect automations: what the operator is told, and the block that tells them.

Each Alert below becomes one automation on the server (`python -m infra.deploy` applies them, replacing
earlier versions by name): an event trigger, and a send-notification action through one notification block.
By default that block is a Custom Webhook block (`custom-webhook/greenmfg-notify`) posting JSON
{"subject", "body", "source"} to GREENMFG_NOTIFY_WEBHOOK_URL; GREENMFG_NOTIFY_BLOCK names another existing
block instead ("<block type slug>/<name>", for example an e-mail or chat block made in the UI).
The server sends the messages itself, so it must reach the webhook.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from greenmfg import alerts

NOTIFY_URL_ENV = "GREENMFG_NOTIFY_WEBHOOK_URL"
NOTIFY_BLOCK_ENV = "GREENMFG_NOTIFY_BLOCK"
DEFAULT_BLOCK = "custom-webhook/greenmfg-notify"
NAME_PREFIX = "greenmfg: "
_RUN_ENDED = "{{ flow.name }} run {{ flow_run.name }} {{ flow_run.state.name | lower }}"


@dataclass(frozen=True)
class Alert:
    """One automation: the events it reacts to, and the subject and body of its message (Jinja templates)."""

    name: str
    description: str
    expect: tuple[str, ...]
    subject: str
    body: str
    match: dict[str, str] = field(default_factory=lambda: {"prefect.resource.id": "greenmfg.*"})


ALERTS: tuple[Alert, ...] = (
    Alert(
        "run failed",
        "A flow run failed or crashed; the message is the run's final state message.",
        ("prefect.flow-run.Failed", "prefect.flow-run.Crashed"),
        "greenmfg: " + _RUN_ENDED,
        _RUN_ENDED + ": {{ flow_run.state.message }}",
        {"prefect.resource.id": "prefect.flow-run.*"},
    ),
    Alert(
        "filing rejected",
        "A landed filing was rejected (critical expectation, unreadable, refused key): not in force.",
        (alerts.REJECTED_EVENT,),
        "greenmfg: filing rejected",
        "{{ event.payload.message }}",
    ),
    Alert(
        "filing held",
        "A correction was held for review: the filing it would supersede stays in force.",
        (alerts.HELD_EVENT,),
        "greenmfg: filing held for review",
        "{{ event.payload.message }}",
    ),
    Alert(
        "filing late",
        "An expected filing has not arrived by its due date (the filing calendar).",
        (alerts.LATE_EVENT,),
        "greenmfg: filing late",
        "late: {{ event.payload.reason }}",
    ),
    Alert(
        "publish blocked",
        "The diff gate blocked a publication: the previous snapshot stays latest.",
        (alerts.BLOCKED_EVENT,),
        "greenmfg: publication blocked",
        "{{ event.payload.reason }}",
    ),
)


async def ensure_notification_block() -> str | None:
    """The slug/name of the block the automations use: the one GREENMFG_NOTIFY_BLOCK names, or the default
    webhook block (re)written from GREENMFG_NOTIFY_WEBHOOK_URL; None when neither is set (nothing sent)."""
    named = os.environ.get(NOTIFY_BLOCK_ENV)
    if named:
        return named
    url = os.environ.get(NOTIFY_URL_ENV)
    if not url:
        return None
    from prefect.blocks.notifications import CustomWebhookNotificationBlock

    block = CustomWebhookNotificationBlock(  # the URL as a secret value: a chat hook's URL is its token
        name="greenmfg",
        url="{{webhook_url}}",
        secrets={"webhook_url": url},
        json_data={"subject": "{{subject}}", "body": "{{body}}", "source": "{{name}}"},
    )
    await block.save(DEFAULT_BLOCK.split("/")[1], overwrite=True)
    return DEFAULT_BLOCK


async def ensure_automations(block_slug_name: str) -> list[str]:
    """Create every Alert's automation, replacing one of the same name; returns their names."""
    from prefect.client.orchestration import get_client
    from prefect.events.actions import SendNotification
    from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture

    slug, name = block_slug_name.split("/", 1)
    async with get_client() as client:
        block = await client.read_block_document_by_name(name, block_type_slug=slug)
        created = []
        for alert in ALERTS:
            full_name = NAME_PREFIX + alert.name
            for existing in await client.read_automations_by_name(full_name):
                await client.delete_automation(existing.id)
            trigger = EventTrigger(
                expect=set(alert.expect), match=alert.match, posture=Posture.Reactive, threshold=1, within=0
            )
            action = SendNotification(block_document_id=block.id, subject=alert.subject, body=alert.body)
            automation = AutomationCore(
                name=full_name, description=alert.description, trigger=trigger, actions=[action]
            )
            await client.create_automation(automation)
            created.append(full_name)
    return created
