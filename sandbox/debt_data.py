"""The sandbox's debts, in the shape of GetBill's `GET /debts/{id}`, agreeing with data.py.

Each debt's creditor, amount, currency, status and payment plan follow what its followups'
notes say (Ms Dubois's €482.60 to Northwind Energy on a three-month plan agreed on the phone,
Mr Schäfer's two invoices paid on site, Ms Wąsowska's £112.40 paid by card...). The counters
(`followups_count`, `nb_answered`, `nb_reminders`) are computed from the followups themselves,
so they always agree with the debt's page.

Like GetBill's, a record also carries the debtor's contact and bank details (phone, e-mail,
birth date, postal address, IBAN, contacts): the dashboard must never show them, and these are
here so that tests can prove it. All of them are made up: phone numbers from the ranges
reserved for fiction, e-mail addresses under `.example`, IBANs with zero check digits that no
bank would accept.
"""

from datetime import timedelta
from decimal import Decimal
from typing import Any

from sandbox.data import DEBT_IDS, EXAMPLES, SANDBOX_FOLLOWUPS, TODAY

# Followups that are a reminder sent to the debtor (not a conversation).
_REMINDER_TYPES = frozenset({"email", "sms", "whatsapp", "voicemail", "postmail"})
_CALL_TYPES = frozenset({"call", "manual_call"})
# Call outcomes that mean someone picked up.
_ANSWERED_STATUSES = frozenset({"deal_found", "deal_not_found", "bad_behavior", "in_progress"})
# A status a company defined for itself, shown by the dashboard as it is.
CUSTOM_STATUS = "status.custom.supervisor_review"


def _date(days_ago: int) -> str:
    return (TODAY.date() - timedelta(days=days_ago)).isoformat()


def _counters(debt_id: str) -> dict[str, int]:
    records = [r for r in SANDBOX_FOLLOWUPS if r["debt_id"] == debt_id]
    executed = [r for r in records if r.get("call_date")]
    return {
        "followups_count": len(records),
        "nb_reminders": sum(r.get("type") in _REMINDER_TYPES for r in executed),
        "nb_answered": sum(
            r.get("type") in _CALL_TYPES and r.get("status") in _ANSWERED_STATUSES for r in executed
        ),
    }


def _personal(
    *, phone: str, email: str, birthdate: str | None, address: str, zipcode: str, city: str,
    country: str, iban: str,
) -> dict[str, Any]:  # fmt: skip
    """The fields the dashboard must never show, as GetBill sends them."""
    return {
        "phone": phone,
        "email": email,
        "birthdate": birthdate,
        "address": address,
        "zipcode": zipcode,
        "city": city,
        "country": country,
        "iban": iban,
        "contacts": [{"type": "phone", "value": phone}, {"type": "email", "value": email}],
    }


def _record(
    label: str,
    *,
    civility: str | None,
    firstname: str | None,
    lastname: str | None,
    company: str,
    amount: str,
    currency: str,
    status: str,
    object: str,
    invoice_reference: str,
    invoice_days_ago: int,
    due_days_ago: int,
    imported_days_ago: int,
    personal: dict[str, Any],
    debtor_company: str | None = None,
    plan_since_days_ago: int | None = None,
    summary: str | None = None,
) -> dict[str, Any]:
    debt_id = DEBT_IDS[label]
    imported = TODAY - timedelta(days=imported_days_ago, hours=-7)
    return {
        "id": debt_id,
        "civility": civility,
        "firstname": firstname,
        "lastname": lastname,
        "debtor_company": debtor_company,
        "company": company,
        "amount": float(Decimal(amount)),
        "amount_text": amount,
        "currency": currency,
        "status": status,
        "object": object,
        "internal_id": f"SBX-{sum(map(ord, label)):05d}",
        "invoice_reference": invoice_reference,
        "debtor_reference": f"CUST-{sum(map(ord, label[::-1])) * 7:06d}",
        "invoice_date": _date(invoice_days_ago),
        "due_date": _date(due_days_ago),
        **_counters(debt_id),
        "summary": summary,
        "payment_link": f"https://pay.example.invalid/d/{debt_id[:8]}",
        "payment_plan_active": plan_since_days_ago is not None,
        "plan_start_date": None if plan_since_days_ago is None else _date(plan_since_days_ago),
        "import_date": imported.isoformat(timespec="seconds"),
        "last_timeline_restart": None,
        "timeline_id": f"tl_{debt_id[:10]}",
        **personal,
    }


# The records below read best one per debt, as a table would.
# fmt: off
_RECORDS = [
    _record("dubois", civility="Ms", firstname="Amélie", lastname="Dubois",
            company="Northwind Energy", amount="482.60", currency="EUR",
            status="status.default.settled", object="Electricity invoice, winter quarter",
            invoice_reference="NWE-2291-4471", invoice_days_ago=58, due_days_ago=28,
            imported_days_ago=26, plan_since_days_ago=15,
            summary="Three-month payment plan agreed on the phone; first instalment paid.",
            personal=_personal(phone="+33199004581", email="amelie.dubois@mail.example",
                               birthdate="1986-04-11", address="12 rue des Lilas",
                               zipcode="69003", city="Lyon", country="FR",
                               iban="FR00 0000 0000 0000 0000 0000 001")),
    _record("mueller", civility="Mr", firstname="Jürgen", lastname="Müller",
            debtor_company="Müller & Söhne Haustechnik GmbH", company="Northwind Energy",
            amount="2318.40", currency="EUR", status="status.default.in_progress",
            object="Boiler maintenance contract", invoice_reference="NW-08817",
            invoice_days_ago=62, due_days_ago=32, imported_days_ago=31,
            summary="Disputed until the technician's report; formal notice sent.",
            personal=_personal(phone="+493023125977", email="buchhaltung@mueller-soehne.example",
                               birthdate=None, address="Handwerkerhof 4", zipcode="12459",
                               city="Berlin", country="DE",
                               iban="DE00 0000 0000 0000 0000 02")),
    _record("wasowska", civility="Ms", firstname="Zofia", lastname="Wąsowska",
            company="Fabrikam Mobile UK", amount="112.40", currency="GBP",
            status="status.default.paid", object="Mobile phone bill",
            invoice_reference="FMUK-558120", invoice_days_ago=44, due_days_ago=14,
            imported_days_ago=12, summary="Paid in full by card on an inbound call.",
            personal=_personal(phone="+447700900461", email="zofia.w@mail.example",
                               birthdate="1993-09-02", address="7 Alder Close",
                               zipcode="M14 5QT", city="Manchester", country="GB",
                               iban="GB00 ZZZZ 0000 0000 0000 03")),
    _record("brzeczyszczykiewicz", civility="Mr", firstname="Łukasz",
            lastname="Brzęczyszczykiewicz", company="Fabrikam Mobile UK", amount="740.00",
            currency="GBP", status=CUSTOM_STATUS, object="Handset instalments in arrears",
            invoice_reference="FMUK-551973", invoice_days_ago=50, due_days_ago=21,
            imported_days_ago=21,
            summary="Sequence stopped after an abusive call; waiting for a supervisor.",
            personal=_personal(phone="+447700900782", email="lukasz.b@mail.example",
                               birthdate="1979-01-23", address="31 Canal Street",
                               zipcode="NG1 7EH", city="Nottingham", country="GB",
                               iban="GB00 ZZZZ 0000 0000 0000 04")),
    _record("lefevre-fx", civility="Mr", firstname="François-Xavier", lastname="Lefèvre",
            company="Club Forme Croix-Rousse", amount="359.88", currency="EUR",
            status="status.default.on_hold", object="Gym membership, twelve months",
            invoice_reference="CFCR-2024-0877", invoice_days_ago=75, due_days_ago=45,
            imported_days_ago=28,
            summary="Says the contract was cancelled in January; records asked from the club.",
            personal=_personal(phone="+33199004233", email="fx.lefevre@mail.example",
                               birthdate="1990-12-30", address="3 montée de la Grande-Côte",
                               zipcode="69001", city="Lyon", country="FR",
                               iban="FR00 0000 0000 0000 0000 0000 005")),
    _record("kolodziejczyk", civility="Ms", firstname="Małgorzata", lastname="Kołodziejczyk",
            company="Fabrikam Mobile UK", amount="86.50", currency="GBP",
            status="status.default.on_hold", object="Broadband bill",
            invoice_reference="FMUK-560442", invoice_days_ago=39, due_days_ago=9,
            imported_days_ago=8, summary="Claims she paid in March; bank statement awaited.",
            personal=_personal(phone="+447700900318", email="m.kolodziejczyk@mail.example",
                               birthdate="1968-06-17", address="Flat 2, 88 Leith Walk",
                               zipcode="EH6 5HB", city="Edinburgh", country="GB",
                               iban="GB00 ZZZZ 0000 0000 0000 06")),
    _record("garcon", civility="Ms", firstname="Hélène", lastname="Garçon",
            company="Maison Lumière SAS", amount="1215.20", currency="EUR",
            status="status.default.partial", object="Furniture bought on credit",
            invoice_reference="ML-77-30412", invoice_days_ago=96, due_days_ago=66,
            imported_days_ago=20,
            summary="Hardship: €30 paid, €1,185.20 left; sequence paused for 30 days.",
            personal=_personal(phone="+33199004870", email="helene.garcon@mail.example",
                               birthdate="1975-03-08", address="5 allée des Tilleuls",
                               zipcode="44000", city="Nantes", country="FR",
                               iban="FR00 0000 0000 0000 0000 0000 007")),
    _record("weiss", civility="Mr", firstname="Björn", lastname="Weiß",
            company="Northwind Energy", amount="4870.00", currency="EUR",
            status="Legal partner", object="Electricity supply, final invoice",
            invoice_reference="NWE-2288-0107", invoice_days_ago=120, due_days_ago=90,
            imported_days_ago=60, summary="Handed over to the legal partner.",
            personal=_personal(phone="+493023125118", email="bjoern.weiss@example.invalid",
                               birthdate="1982-10-05", address="Lindenstraße 19",
                               zipcode="10969", city="Berlin", country="DE",
                               iban="DE00 0000 0000 0000 0000 08")),
    _record("moreau", civility="Ms", firstname="Anaïs", lastname="Moreau-Blanchard",
            company="Northwind Energy", amount="645.00", currency="EUR",
            status="status.default.settled", object="Gas invoice, autumn quarter",
            invoice_reference="NWE-2290-3318", invoice_days_ago=48, due_days_ago=18,
            imported_days_ago=14, plan_since_days_ago=10,
            summary="Three payments of €215 agreed on the fourth call.",
            personal=_personal(phone="+33199004655", email="anais.mb@mail.example",
                               birthdate="1998-07-21", address="40 cours Victor-Hugo",
                               zipcode="33000", city="Bordeaux", country="FR",
                               iban="FR00 0000 0000 0000 0000 0000 010")),
    _record("schaefer", civility="Mr", firstname="Günther", lastname="Schäfer",
            debtor_company="Schäfer Gartenbau KG", company="Contoso Agrarhandel",
            amount="3120.00", currency="EUR", status="status.default.paid",
            object="Two invoices for seed and fertiliser", invoice_reference="CAH-19-2207",
            invoice_days_ago=60, due_days_ago=30, imported_days_ago=25,
            summary="Both invoices paid by card during the field visit.",
            personal=_personal(phone="+493023125640", email="info@schaefer-gartenbau.example",
                               birthdate=None, address="Am Gartenfeld 2", zipcode="12555",
                               city="Berlin", country="DE",
                               iban="DE00 0000 0000 0000 0000 11")),
    _record("zulawski", civility="Mr", firstname="Krzysztof", lastname="Żuławski",
            company="Fabrikam Mobile UK", amount="390.00", currency="EUR",
            status="status.default.settled", object="Roaming charges",
            invoice_reference="FMUK-549906", invoice_days_ago=52, due_days_ago=22,
            imported_days_ago=20, plan_since_days_ago=14,
            summary="€130 a month over three months.",
            personal=_personal(phone="+447700900594", email="k.zulawski@mail.example",
                               birthdate="1988-02-14", address="19 Harbour Road",
                               zipcode="BS1 6XX", city="Bristol", country="GB",
                               iban="GB00 ZZZZ 0000 0000 0000 12")),
    _record("kjaergaard", civility="Mr", firstname="Søren", lastname="Kjærgaard",
            company="Nordlys Fjernvarme A/S", amount="2450.00", currency="DKK",
            status="status.default.pending", object="District heating, annual statement",
            invoice_reference="NF-2024-11873", invoice_days_ago=33, due_days_ago=3,
            imported_days_ago=2,
            personal=_personal(phone="+447700900127", email="soren.k@mail.example",
                               birthdate="1971-11-29", address="Nørrebrogade 210, 3. tv",
                               zipcode="2200", city="København N", country="DK",
                               iban="DK00 0000 0000 0000 13")),
    _record("new", civility="Ms", firstname="Chloé", lastname="Bérubé",
            company="Maison Lumière SAS", amount="1034.50", currency="CAD",
            status="status.default.pending", object="Sofa delivered to Montréal",
            invoice_reference="ML-CA-00918", invoice_days_ago=31, due_days_ago=1,
            imported_days_ago=0,
            personal=_personal(phone="+15145550178", email="chloe.berube@mail.example",
                               birthdate="1995-05-19", address="4500 rue Saint-Denis",
                               zipcode="H2J 2L3", city="Montréal", country="CA",
                               iban="CA00 0000 0000 0000 14")),
    _record("boulangerie-lefevre", civility=None, firstname=None, lastname=None,
            debtor_company="Boulangerie Lefèvre & Fils SARL", company="Moulins du Val",
            amount="12480.00", currency="EUR", status="status.default.in_progress",
            object="Flour deliveries, nine months", invoice_reference="MDV-2023-0419",
            invoice_days_ago=300, due_days_ago=285, imported_days_ago=284,
            summary="Manager keeps promising to pay after the season.",
            personal=_personal(phone="+33199004012", email="contact@boulangerie-lefevre.example",
                               birthdate=None, address="2 place du Marché", zipcode="21000",
                               city="Dijon", country="FR",
                               iban="FR00 0000 0000 0000 0000 0000 015")),
]
# fmt: on


def _fields_left_out(record: dict[str, Any], *, keep: tuple[str, ...]) -> dict[str, Any]:
    """The record with only `keep`, as some GetBill payloads omit fields altogether."""
    return {key: value for key, value in record.items() if key in keep}


# Ms Wójcik's debt, like her followups, comes with most fields left out.
_RECORDS.append(
    _fields_left_out(
        _record("wojcik", civility=None, firstname="Dorota", lastname="Wójcik",
                company="Fabrikam Mobile UK", amount="58.00", currency="GBP",
                status="status.default.in_progress", object="", invoice_reference="",
                invoice_days_ago=20, due_days_ago=6, imported_days_ago=6,
                personal=_personal(phone="+447700900903", email="d.wojcik@mail.example",
                                   birthdate="2001-08-08", address="1 Mill Lane",
                                   zipcode="LS1 4AP", city="Leeds", country="GB",
                                   iban="GB00 ZZZZ 0000 0000 0000 16")),
        keep=("id", "firstname", "lastname", "amount", "currency", "status", "phone", "email"),
    )
)  # fmt: skip

SANDBOX_DEBT_RECORDS: dict[str, dict[str, Any]] = {record["id"]: record for record in _RECORDS}
EXAMPLES.setdefault("debt_custom_status", DEBT_IDS["brzeczyszczykiewicz"])
EXAMPLES.setdefault("debt_company_only", DEBT_IDS["boulangerie-lefevre"])
EXAMPLES.setdefault("debt_fields_left_out", DEBT_IDS["wojcik"])
EXAMPLES.setdefault("debt_payment_plan", DEBT_IDS["dubois"])

# Fields the dashboard must never show or keep (personal contact and bank details).
PERSONAL_FIELDS = (
    "phone",
    "email",
    "birthdate",
    "address",
    "zipcode",
    "city",
    "country",
    "iban",
    "contacts",
)


def debt_find(*, debt_id: str) -> dict[str, Any] | None:
    return SANDBOX_DEBT_RECORDS.get(debt_id)
