"""Mail notifications of data requests: one Japanese mail per event to each recipient who has an address.

An action records its in-CKAN notifications (``notify.py``) inside its transaction and hands the event to
``queue_event``, which only remembers it on the session. When that transaction commits, SQLAlchemy's
``after_commit`` event queues one background job per event (``toolkit.enqueue_job``, CKAN's default queue,
run by the stack's ``ckan-worker``); a rollback forgets it. So a mail never goes out for an action that
failed, and an action never waits for, nor fails because of, the SMTP server.

The job reads the request and the people afresh and sends through CKAN's mailer (``ckan.lib.mailer``,
settings ``smtp.*`` written into ckan.ini from the stack config's ``mail:`` section). Each recipient's mail is
tried on its own: a refused address, an SMTP server that is down or slow, a user without an address are logged
and skipped, never raised. Nothing is queued while ``ckanext.testbed.mail.enabled`` is false (no ``mail:``).

CKAN's mailer speaks plain SMTP and STARTTLS only; with ``ckanext.testbed.mail.ssl`` the plugin's
``INotifier`` (``notify_recipient``) sends every CKAN mail over SMTPS instead (port 465).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import smtplib
import socket
import ssl
from email import utils
from email.message import EmailMessage
from typing import Any

import ckan.model as model
from ckan.lib import mailer
from ckan.plugins import toolkit as tk
from sqlalchemy import event as sa_event

from . import mail_text, messages, roles
from .model import Comment, Coordinator, Request

log = logging.getLogger(__name__)

ENABLED = "ckanext.testbed.mail.enabled"
SSL = "ckanext.testbed.mail.ssl"
_PENDING = "testbed_request_mail_pending"
PREFERENCE = ("testbed", "request_mail")  # user.plugin_extras["testbed"]["request_mail"]: false = no mail
JOB_TIMEOUT = 300  # seconds rq gives one event's mails
SMTP_TIMEOUT = 30  # seconds one SMTP connection may wait (CKAN's mailer sets none)
RESERVED_TLDS = ("invalid", "example", "test", "localhost")
_ADDRESS = re.compile(r"^[^@\s<>\",;]+@[^@\s<>\",;]+\.[^@\s<>\",;]+$")


def enabled() -> bool:
    return tk.asbool(tk.config.get(ENABLED))


# queuing (web and API processes) -------------------------------------------------------------------------


def install_commit_hooks() -> None:
    """Register the session listeners once per process (safe to call again)."""
    if not sa_event.contains(model.Session, "after_commit", _enqueue_pending):
        sa_event.listen(model.Session, "after_commit", _enqueue_pending)
        sa_event.listen(model.Session, "after_rollback", _forget_pending)


def queue_event(
    request_id: str, kind: str, actor_id: str | None, recipient_ids: list[str], comment_id: str | None = None
) -> None:
    """Remember an event's mails on the session; they are queued when its transaction commits."""
    if not recipient_ids or not enabled():
        return
    pending = model.Session().info.setdefault(_PENDING, [])
    pending.append(
        {
            "request_id": request_id,
            "kind": kind,
            "actor_id": actor_id,
            "recipient_ids": list(recipient_ids),
            "comment_id": comment_id,
            "at": dt.datetime.now(dt.UTC).isoformat(),
        }
    )


def _enqueue_pending(session) -> None:
    for event in session.info.pop(_PENDING, None) or []:
        try:
            tk.enqueue_job(
                send_event,
                [event],
                title=f"testbed: mail of data request {event['request_id']} ({event['kind']})",
                rq_kwargs={"timeout": JOB_TIMEOUT},
            )
        except Exception:  # Redis down: the action has succeeded; the in-CKAN notification is there
            log.exception("Could not queue the mail of data request %s (%s)", event["request_id"], event["kind"])


def _forget_pending(session) -> None:
    session.info.pop(_PENDING, None)


# preferences ----------------------------------------------------------------------------------------------


def wants_mail(user: model.User) -> bool:
    """The user's own choice (default: yes)."""
    extras = user.plugin_extras or {}
    return bool((extras.get(PREFERENCE[0]) or {}).get(PREFERENCE[1], True))


def set_wants_mail(user: model.User, on: bool) -> None:
    """Record the choice (within the caller's transaction); a new dict, as plugin_extras tracks top-level keys."""
    extras = dict(user.plugin_extras or {})
    extras[PREFERENCE[0]] = {**(extras.get(PREFERENCE[0]) or {}), PREFERENCE[1]: bool(on)}
    user.plugin_extras = extras


def _top_level_domain(address: str) -> str:
    return address.strip().rpartition("@")[2].lower().rstrip(".").rpartition(".")[2]


def has_address(user: model.User) -> bool:
    """Does the user have an address mail can reach? Not the placeholders of accounts the project makes itself
    (trainees ``…@trainees.testbed.example``, sample requesters ``…@example.invalid``, ``testbed-admin@localhost``):
    reserved names (RFC 2606, 6761) that would only bounce."""
    address = user.email or ""
    if not _ADDRESS.match(address) or mail_text.one_line(address) != address:
        return False
    return _top_level_domain(address) not in RESERVED_TLDS


def never_delivered(address: str | None) -> bool:
    """Is ``address`` under ``.invalid`` (RFC 2606: never resolves), like the seeded fictional requesters'
    ``…@example.invalid``? No mail of CKAN's own (``notify_recipient``) is sent there either."""
    return _top_level_domain(address or "") == "invalid"


# the job (ckan-worker) ------------------------------------------------------------------------------------


def send_event(event: dict[str, Any]) -> int:
    """Background job: one mail per recipient of ``event``; returns how many were sent. Never raises."""
    if not enabled():
        return 0
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(SMTP_TIMEOUT)
    try:
        return _send_event(event)
    except Exception:
        log.exception("Mail of data request %s (%s) failed", event.get("request_id"), event.get("kind"))
        return 0
    finally:
        socket.setdefaulttimeout(previous)


def _send_event(event: dict[str, Any]) -> int:
    request = model.Session.get(Request, event["request_id"])
    if request is None:
        log.info("Data request %s is gone; no mail", event["request_id"])
        return 0
    actor = model.User.get(event["actor_id"]) if event.get("actor_id") else None
    site_title = tk.config.get("ckan.site_title") or ""
    site_url = (tk.config.get("ckan.site_url") or "").rstrip("/")
    when = dt.datetime.fromisoformat(event["at"])
    sent = 0
    for user_id in event["recipient_ids"]:
        user = model.User.get(user_id)
        if user is None or user.state != "active" or user_id == event.get("actor_id"):
            continue
        if not has_address(user) or not wants_mail(user) or not roles.can_see(user, request):
            continue
        involved = roles.is_involved(user, request)
        subject = mail_text.subject(
            event["kind"], title=request.title, site_title=site_title, resolution=_resolution(request)
        )
        label, quote = _quote(event, request)
        body = mail_text.body(
            event["kind"],
            recipient=user.display_name,
            title=request.title,
            actor=_actor(actor, request, involved),
            when=when,
            link=f"{site_url}/data-request/{request.id}",
            settings_link=f"{site_url}/data-request/mail-settings",
            site_title=site_title,
            details=_details(event["kind"], request, involved, site_url),
            quote=quote,
            quote_label=label,
        )
        try:
            mailer.mail_recipient(
                mail_text.header_name(user.display_name),
                user.email,
                subject,
                body,
                headers={"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"},
            )
        except Exception as error:  # refused, down, timed out: the next recipient still gets theirs
            log.warning(
                "Mail of data request %s (%s) to user %s not sent: %r", request.id, event["kind"], user_id, error
            )
        else:
            sent += 1
    return sent


def _resolution(request: Request) -> str:
    return messages.RESOLUTION_LABELS.get(request.resolution or "", "")


def _role(request: Request, user: model.User) -> str:
    """What someone not involved sees of the actor (as on the request's page): a role, never a name."""
    if user.id == request.requester_id:
        return "要望者"
    if model.Session.get(Coordinator, user.id) is not None:
        return "調整役"
    return "サイト管理者" if user.sysadmin else "担当課"


def _actor(actor: model.User | None, request: Request, involved: bool) -> str:
    if actor is None:
        return messages.MAIL_ACTOR_UNKNOWN
    if involved:
        return messages.MAIL_ACTOR_NAMED.format(name=mail_text.one_line(actor.display_name))
    return _role(request, actor)


def _details(kind: str, request: Request, involved: bool, site_url: str) -> list[tuple[str, str]]:
    org = model.Group.get(request.organization_id) if request.organization_id else None
    org_title = (org.title or org.name) if org else messages.MAIL_DETAIL_UNASSIGNED
    if kind in ("created", "assigned"):
        details = [(messages.MAIL_DETAIL_ORG, org_title)]
        assignee = model.User.get(request.assignee_id) if request.assignee_id else None
        if kind == "assigned" and assignee is not None and involved:
            details.append((messages.MAIL_DETAIL_ASSIGNEE, f"{mail_text.one_line(assignee.display_name)} さん"))
        return details
    if kind == "closed":
        details = [(messages.MAIL_DETAIL_RESOLUTION, _resolution(request))]
        if request.reason:
            details.append((messages.MAIL_DETAIL_REASON, messages.REASON_LABELS.get(request.reason, "")))
        package = model.Package.get(request.dataset_id) if request.dataset_id else None
        if package is not None and package.state == "active" and not package.private:
            title = mail_text.one_line(package.title or package.name)
            details.append((messages.MAIL_DETAIL_DATASET, f"{title} {site_url}/dataset/{package.name}"))
        return details
    return []


def _quote(event: dict[str, Any], request: Request) -> tuple[str, str]:
    if event["kind"] == "commented" and event.get("comment_id"):
        comment = model.Session.get(Comment, event["comment_id"])
        return messages.MAIL_QUOTE_LABEL, comment.text if comment is not None else ""
    if event["kind"] == "closed" and request.close_note:
        return messages.MAIL_DETAIL_NOTE + ":", request.close_note
    return messages.MAIL_QUOTE_LABEL, ""


# SMTPS (INotifier) ----------------------------------------------------------------------------------------


def notify_recipient(
    already_notified: bool,
    recipient_name: str,
    recipient_email: str,
    subject: str,
    body: str,
    body_html: str | None = None,
    headers: dict[str, Any] | None = None,
    attachments=None,
) -> bool:
    """CKAN's ``INotifier``: with ``ckanext.testbed.mail.ssl``, send CKAN's mails over SMTPS (CKAN cannot). A mail
    to an address under ``.invalid`` is dropped quietly (counted as handled, so CKAN's mailer sends nothing)."""
    if not already_notified and never_delivered(recipient_email):
        log.info("No mail to %s: a reserved .invalid address (RFC 2606)", recipient_email)
        return True
    if already_notified or not tk.asbool(tk.config.get(SSL)):
        return already_notified
    msg = EmailMessage()
    msg.set_content(body, cte="base64")
    if body_html:
        msg.add_alternative(body_html, subtype="html", cte="base64")
    for key, value in (headers or {}).items():
        msg[key] = mail_text.one_line(str(value))
    msg["Subject"] = mail_text.one_line(subject)
    sender = tk.config.get("smtp.mail_from")
    msg["From"] = utils.formataddr((mail_text.header_name(tk.config.get("ckan.site_title") or ""), sender))
    msg["To"] = utils.formataddr((mail_text.header_name(recipient_name), recipient_email))
    msg["Date"] = utils.formatdate(localtime=False)
    for attachment in attachments or []:
        name, handle = attachment[0], attachment[1]
        media = attachment[2] if len(attachment) > 2 and attachment[2] else "application/octet-stream"
        data = handle.read()
        if isinstance(data, str):
            data = data.encode("utf-8")
        main, _, sub = media.partition("/")
        msg.add_attachment(data, maintype=main, subtype=sub, filename=name)
    host, port = mailer._parse_smtp_server(tk.config.get("smtp.server") or "")
    try:
        with smtplib.SMTP_SSL(host or "", port or 465, context=ssl.create_default_context()) as smtp:
            if tk.config.get("smtp.user"):
                smtp.login(tk.config.get("smtp.user"), tk.config.get("smtp.password"))
            smtp.send_message(msg, from_addr=sender, to_addrs=[recipient_email])
    except (OSError, smtplib.SMTPException, ValueError) as error:
        raise mailer.MailerException(f"SMTPS to {tk.config.get('smtp.server')!r} failed: {error!r}") from None
    log.info("Sent email to %s over SMTPS", recipient_email)
    return True
