"""How one message leaves on each channel. A sender raises `DeliveryError` for a failure worth
retrying (refused connection, 5xx, rate limit), `UnknownOutcome` when the send went out but no
answer came in time (it may have arrived), and `PermanentError` for one no retry can fix (4xx,
an address not allowed ...).

Every sender may run more than once for the same message (at-least-once delivery): the inbox
is idempotent by its one-row-per-message constraint; HTTP calls carry the message key in the
`Idempotency-Key` and `X-Chuangcheng-Message-Key` headers, so a receiver that honours them (or a
relay in front of a robot) drops a repeat; the group robots ignore those headers, so on our side
the claim in `services.deliver` keeps a second send from starting while one is live, and a send
without an answer is repeated only a few times (NOTIFY_UNKNOWN_RETRIES), minutes apart.
Each channel has its own short timeout (NOTIFY_TIMEOUTS)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import logging
import smtplib
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import quote_plus, urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import get_connection, send_mail
from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string

from chuangcheng.notify.models import Channel, InboxItem, Message, webhook_host_allowed

log = logging.getLogger(__name__)

# The robots' own limits on a message's size (WeCom markdown 4096 bytes, DingTalk 20000).
WECOM_MAX_BYTES = 4000
DINGTALK_MAX_BYTES = 19000


class DeliveryError(Exception):
    """The send failed; a later attempt may succeed."""


class UnknownOutcome(DeliveryError):
    """The send went out but no answer came in time: it may have arrived. Tried again later with
    the same key, a limited number of times."""


class PermanentError(Exception):
    """The send can never succeed as addressed (no such user, address not allowed ...)."""


def timeout_for(channel: str) -> float:
    """The channel's own timeout in seconds (NOTIFY_TIMEOUTS; 5 for a channel not listed)."""
    return float(settings.NOTIFY_TIMEOUTS.get(str(channel), 5))


# --- in-app inbox ---------------------------------------------------------------------------


def send_inbox(message: Message) -> None:
    user = get_user_model().objects.filter(pk=_int(message.target)).first()
    if user is None:
        raise PermanentError(f"no user with id {message.target!r}")
    if InboxItem.objects.filter(message=message).exists():
        return
    try:
        with transaction.atomic():
            InboxItem.objects.create(
                message=message, user=user, title=message.title, body=message.body,
                link=str(message.payload.get("link", ""))[:300],
            )
    except IntegrityError:
        # A second delivery of the same message raced us; the first one's row stands.
        pass


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError as exc:
        raise PermanentError(f"not a user id: {value!r}") from exc


# --- group robots ---------------------------------------------------------------------------


def _clip(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode("utf-8", errors="ignore") + "…"


def _markdown(message: Message) -> str:
    text = f"**{message.title}**"
    if message.body:
        text += f"\n\n{message.body}"
    link = message.payload.get("link")
    if link:
        text += f"\n\n[{message.payload.get('link_text') or link}]({link})"
    return text


def wecom_body(message: Message) -> dict[str, Any]:
    """WeCom group robot: {"msgtype": "markdown", "markdown": {"content": ...}}; plain text when
    mobiles are to be mentioned (markdown cannot @ by phone number)."""
    mobiles = [str(m) for m in message.payload.get("mention_mobiles", [])]
    if mobiles:
        content = _clip(f"{message.title}\n{message.body}".strip(), WECOM_MAX_BYTES)
        return {"msgtype": "text", "text": {"content": content, "mentioned_mobile_list": mobiles}}
    return {"msgtype": "markdown", "markdown": {"content": _clip(_markdown(message), WECOM_MAX_BYTES)}}


def dingtalk_body(message: Message) -> dict[str, Any]:
    """DingTalk group robot: {"msgtype": "markdown", "markdown": {"title", "text"}, "at": {...}}."""
    mobiles = [str(m) for m in message.payload.get("mention_mobiles", [])]
    text = _markdown(message)
    if mobiles:
        text += "\n\n" + " ".join(f"@{m}" for m in mobiles)
    return {
        "msgtype": "markdown",
        "markdown": {"title": message.title[:60], "text": _clip(text, DINGTALK_MAX_BYTES)},
        "at": {"atMobiles": mobiles, "isAtAll": False},
    }


def dingtalk_signed_url(url: str, secret: str, *, timestamp_ms: int | None = None) -> str:
    """DingTalk 加签: sign = base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}")),
    appended as &timestamp=…&sign=… (the signature URL-encoded)."""
    timestamp = str(timestamp_ms if timestamp_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = quote_plus(base64.b64encode(digest).decode("ascii"))
    joiner = "&" if urlsplit(url).query else "?"
    return f"{url}{joiner}timestamp={timestamp}&sign={sign}"


def post_json(url: str, body: dict[str, Any], *, key: str = "", timeout: float = 5.0) -> dict[str, Any]:
    """POST JSON with a short timeout and the message key in the headers; the robots answer 200
    with {"errcode": 0} on success.

    A connection that cannot be made (refused, unreachable, no connect within the timeout) is a
    plain retry; a send whose answer does not come within the timeout is `UnknownOutcome`;
    a 4xx is permanent (but 408 and 429, which ask to come back later), a 5xx a retry."""
    if not webhook_host_allowed(url):
        raise PermanentError("the robot address is not in NOTIFY_WEBHOOK_HOSTS")
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if key:
        headers["Idempotency-Key"] = headers["X-Chuangcheng-Message-Key"] = key
    request = urllib.request.Request(  # noqa: S310 -- scheme and host checked just above
        url, data=json.dumps(body, ensure_ascii=False).encode("utf-8"), method="POST", headers=headers,
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            raw = response.read(65536)
    except urllib.error.HTTPError as exc:
        if 400 <= exc.code < 500 and exc.code not in {408, 429}:
            raise PermanentError(f"HTTP {exc.code} from the robot") from exc
        raise DeliveryError(f"HTTP {exc.code} from the robot") from exc
    except urllib.error.URLError as exc:
        # urllib wraps what fails while connecting and writing the request: nothing was sent.
        raise DeliveryError(f"robot not reachable: {exc.reason}") from exc
    except (TimeoutError, http.client.HTTPException, OSError) as exc:
        # The request went out; the answer did not come (in time, or whole).
        raise UnknownOutcome(f"no answer from the robot within {timeout:g} s: {exc or type(exc).__name__}") from exc
    try:
        answer = json.loads(raw.decode("utf-8") or "{}")
    except (UnicodeDecodeError, ValueError) as exc:
        raise DeliveryError("the robot's answer is not JSON") from exc
    if not isinstance(answer, dict):
        raise DeliveryError("the robot's answer is not a JSON object")
    if answer.get("errcode", 0) != 0:
        raise DeliveryError(f"robot error {answer.get('errcode')}: {answer.get('errmsg', '')}"[:500])
    return answer


def _robot(message: Message) -> tuple[str, str]:
    """The address (and secret) to call: the robot's current settings when the message came from
    a configured robot, else the target as written."""
    if message.webhook is not None:
        return message.webhook.url, message.webhook.secret
    return message.target, ""


def send_wecom(message: Message) -> None:
    url, _secret = _robot(message)
    post_json(url, wecom_body(message), key=message.key, timeout=timeout_for(Channel.WECOM))


def send_dingtalk(message: Message) -> None:
    url, secret = _robot(message)
    post_json(dingtalk_signed_url(url, secret) if secret else url, dingtalk_body(message), key=message.key,
              timeout=timeout_for(Channel.DINGTALK))


# --- e-mail and SMS -------------------------------------------------------------------------


def send_email(message: Message) -> None:
    connection = get_connection(fail_silently=False, timeout=timeout_for(Channel.EMAIL))
    try:
        send_mail(message.title, message.body or message.title, None, [message.target], fail_silently=False,
                  connection=connection)
    except smtplib.SMTPRecipientsRefused as exc:
        raise PermanentError(f"mail server refused the address: {exc}") from exc
    except TimeoutError as exc:
        raise UnknownOutcome(f"no answer from the mail server within {timeout_for(Channel.EMAIL):g} s") from exc
    except OSError as exc:  # refused connection, SMTP errors
        raise DeliveryError(f"mail server: {exc}") from exc


class SmsGateway(Protocol):
    """`key` identifies the message for good (pass it on where the provider takes an idempotency or
    "out id" field); `timeout` is the SMS channel's own, in seconds. A timeout while waiting for the
    provider's answer should raise TimeoutError (counted as "no answer"), a refused connection
    OSError/ConnectionError (a plain retry)."""

    def send(self, phone: str, text: str, *, key: str, timeout: float) -> None: ...


class ConsoleSmsGateway:
    """The demo's gateway: writes the text message to the log instead of sending it."""

    def send(self, phone: str, text: str, *, key: str = "", timeout: float = 5.0) -> None:
        log.warning("SMS to %s: %s", phone, text)


def sms_gateway() -> SmsGateway:
    """NOTIFY_SMS_GATEWAY is "console" or the dotted path of a class with `send(phone, text)`."""
    name = settings.NOTIFY_SMS_GATEWAY
    if name == "console":
        return ConsoleSmsGateway()
    gateway: SmsGateway = import_string(name)()
    return gateway


def send_sms(message: Message) -> None:
    text = f"{message.title} {message.body}".strip()
    try:
        sms_gateway().send(message.target, text, key=message.key, timeout=timeout_for(Channel.SMS))
    except TimeoutError as exc:
        raise UnknownOutcome(f"no answer from the SMS gateway within {timeout_for(Channel.SMS):g} s") from exc
    except (OSError, ConnectionError) as exc:
        raise DeliveryError(f"SMS gateway: {exc}") from exc


SENDERS: dict[str, Callable[[Message], None]] = {
    Channel.INBOX: send_inbox,
    Channel.WECOM: send_wecom,
    Channel.DINGTALK: send_dingtalk,
    Channel.EMAIL: send_email,
    Channel.SMS: send_sms,
}
