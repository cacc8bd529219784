from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from chuangcheng.org.models import Region
from chuangcheng.public.open311 import services


class Command(BaseCommand):
    help = ("Issue an Open311 API key to an outside system for one subdistrict (or revoke one with "
            "--revoke PREFIX). The key is printed once; only its hash is kept. Recorded in the change log.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--street", required=True, help="the subdistrict's region code")
        parser.add_argument("--name", default="", help="the system that will use the key")
        parser.add_argument("--contact", default="", help="who operates it")
        parser.add_argument("--work-orders", action="store_true",
                            help="the system is a hotline: its requests are its 12345 work orders")
        parser.add_argument("--revoke", default="", metavar="PREFIX",
                            help="revoke the key starting with o311_PREFIX instead")

    def handle(self, *args: Any, **options: Any) -> None:
        street = Region.objects.filter(code=options["street"], level=Region.Level.STREET).first()
        if street is None:
            raise CommandError(_("No subdistrict with code %(code)s.") % {"code": options["street"]})
        if options["revoke"]:
            prefix = options["revoke"].removeprefix(services.KEY_PREFIX)[:8]
            client = street.open311_clients.filter(prefix=prefix, revoked=False).first()
            if client is None:
                raise CommandError(_("No key in use starting with %(prefix)s.") % {"prefix": prefix})
            services.revoke_key(client, by=None, note="open311_key --revoke")
            self.stdout.write(_("Revoked the key of %(name)s.") % {"name": client.name})
            return
        try:
            client, key = services.issue_key(street=street, name=options["name"], contact=options["contact"],
                                             by=None, sends_orders=options["work_orders"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(_("Key for %(name)s (%(street)s), shown only once:") % {"name": client.name,
                                                                               "street": street.name})
        self.stdout.write(key)
