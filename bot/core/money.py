"""Read amounts, currencies, quantities and useful lives from free text, in several languages.

Deterministic and conservative: a number is taken as money only with a currency mark or a
money suffix ("k", "M"), so "5 years" or "40 monitors" are not read as amounts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from bot.core.facts import Money, UsefulLife
from bot.core.scripts import CJK_SCRIPT

CURRENCY_SYMBOLS: dict[str, str] = {
    "$": "USD",
    "us$": "USD",
    "usd": "USD",
    "dollars": "USD",
    "dollar": "USD",
    "bucks": "USD",
    "€": "EUR",
    "eur": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "£": "GBP",
    "gbp": "GBP",
    "pounds": "GBP",
    "quid": "GBP",
    "chf": "CHF",
    "fr.": "CHF",
    "franken": "CHF",
    "cad": "CAD",
    "c$": "CAD",
    "ca$": "CAD",
    "$ ca": "CAD",  # Québec writes "6 500 $ CA"
    "$ can": "CAD",
    "aud": "AUD",
    "a$": "AUD",
    "au$": "AUD",
    "¥": "JPY",
    "jpy": "JPY",
    "yen": "JPY",
    "円": "JPY",
    "₹": "INR",
    "inr": "INR",
    "rs": "INR",
    "rs.": "INR",
    "rupees": "INR",
    "sek": "SEK",
    "r$": "BRL",
    "brl": "BRL",
    "reais": "BRL",
    "mxn": "MXN",
    # read, but without a planning rate: the bot refers them to finance (§3.4)
    "nok": "NOK",
    "dkk": "DKK",
    "pln": "PLN",
    "czk": "CZK",
    "huf": "HUF",
    "cny": "CNY",
    "hkd": "HKD",
    "sgd": "SGD",
    "krw": "KRW",
    "zar": "ZAR",
    "nzd": "NZD",
    "try": "TRY",
    "ils": "ILS",
    "aed": "AED",
    "zł": "PLN",
    "₩": "KRW",
    "₪": "ILS",
}
#: "mil" is a thousand to a Brazilian or Spanish writer ("R$ 200 mil") and a million to an
#: American one ("$1.5 mil"): read only where the currency settles which.
_MIL_MEANS_THOUSAND = frozenset({"r$", "brl", "reais", "us$", "€", "eur", "euro", "euros", "mxn"})

_THOUSAND, _MILLION, _BILLION = Decimal(1_000), Decimal(1_000_000), Decimal(1_000_000_000)
#: Scale words and suffixes in every supported language. Matched case-insensitively, with
#: and without accents ("milhão" and "milhao").
_MULTIPLIERS: dict[str, Decimal] = {
    "k": _THOUSAND,
    "t": _THOUSAND,  # only with a currency after it: "30 T€" (German Tausend)
    "thousand": _THOUSAND,
    "tsd": _THOUSAND,
    "tsd.": _THOUSAND,
    "tausend": _THOUSAND,
    "mille": _THOUSAND,
    "mil": _THOUSAND,
    "duizend": _THOUSAND,
    "m": _MILLION,
    "mm": _MILLION,
    "mn": _MILLION,
    "mln": _MILLION,
    "mio": _MILLION,
    "mio.": _MILLION,
    "million": _MILLION,
    "millions": _MILLION,
    "millionen": _MILLION,
    "millon": _MILLION,
    "millón": _MILLION,
    "millones": _MILLION,
    "milhao": _MILLION,
    "milhão": _MILLION,
    "milhoes": _MILLION,
    "milhões": _MILLION,
    "miljoen": _MILLION,
    "miljoenen": _MILLION,
    "milione": _MILLION,
    "milioni": _MILLION,
    "bn": _BILLION,
    "billion": _BILLION,
    "billions": _BILLION,
    "mrd": _BILLION,
    "mrd.": _BILLION,
    "milliard": _BILLION,
    "milliards": _BILLION,
    "milliarde": _BILLION,
    "milliarden": _BILLION,
    "miljard": _BILLION,
    "lakh": Decimal(100_000),
    "lakhs": Decimal(100_000),
    "lac": Decimal(100_000),
    "lacs": Decimal(100_000),
    "crore": Decimal(10_000_000),
    "crores": Decimal(10_000_000),
    "cr": Decimal(10_000_000),
    "千": _THOUSAND,
    "万": Decimal(10_000),
    "萬": Decimal(10_000),
    "億": Decimal(100_000_000),
    "亿": Decimal(100_000_000),
}

_PERIODS = {
    "month": (
        r"(?:/|per |a |an |each |every |pro |par |al |por |por |per )?"
        r"(?:mo\b|mos\b|month|monat|mois|mes\b|mês|maand)|monthly|monatlich|mensuel|mensual|mensal"
    ),
    "year": (
        r"(?:/|per |a |an |each |every |pro |par |al |por |per )?"
        r"(?:yr\b|yrs\b|year\b|jahr\b|an\b|ano\b|año\b|jaar\b)|annual(?:ly)?|yearly|jährlich"
        r"|jahrlich|annuel|anual"
    ),
}

_SYMBOL_RE = "|".join(re.escape(s) for s in sorted(CURRENCY_SYMBOLS, key=len, reverse=True))
_MULT_RE = "|".join(re.escape(m) for m in sorted(_MULTIPLIERS, key=len, reverse=True))
#: "12,000", "8.500", "15'000", Indian "4,50,000", or plain "1.2" / "1,5"
_NUMBER = (
    r"\d{1,2}(?:,\d{2})+,\d{3}(?:\.\d{1,2})?"
    r"|\d{1,3}(?:[.,' ’]\d{3})+(?:[.,]\d{1,2})?"
    r"|\d+(?:[.,]\d+)?"
)
#: a scale word or symbol ends where a word would go on ("1,250,000 más" is no million)
_NO_LETTER = r"(?![a-zA-ZÀ-ÿ])"
_AMOUNT_RE = re.compile(
    rf"(?<![^\W{CJK_SCRIPT}])(?<![.,])(?:(?P<pre>{_SYMBOL_RE})\s?)?(?P<num>{_NUMBER})"
    rf"(?:\s?(?P<mult>{_MULT_RE}){_NO_LETTER})?(?:\s?(?P<post>{_SYMBOL_RE}){_NO_LETTER})?",
    re.IGNORECASE,
)
_PERIOD_RE = {
    per: re.compile(rf"^\s*(?:{pattern})", re.IGNORECASE) for per, pattern in _PERIODS.items()
}
_EACH_RE = re.compile(
    r"^\s*(?:each|apiece|per (?:unit|piece|item|seat|server|laptop|box|device|person|user)|"
    r"/unit|pro stück|pro stueck|pro (?:gerät|server|lizenz|platz|person|user|nutzer|benutzer)|"
    r"je\b|chacun|chacune|"
    r"l'unité|par (?:unité|serveur|poste|licence|personne)|cada uno|cada|"
    r"por (?:unidad|unidade|servidor|equipo|equipamento|licencia|licença|persona|pessoa)|"
    r"per (?:stuk|server|licentie|persoon|unità|licenza|persona)|stuk|l'uno|ciascuno|"
    r"l'una|ciascuna|cadauno|cadauna|cada una|(?:la|par|per) pi[eè]ce|(?:la|por) pieza|"
    r"por peça|pro stk\.?|ea\b|"
    r"a testa|c/u\b|"
    # "$1,395/chair", "890 €/Stück": a price per thing, not per period
    r"/\s?(?!(?:mo|mos|month|monat|mois|mes|maand|yr|yrs|year|jahr|an|ano|año|jaar|h|hr|hour|"
    r"day|week|wk|q|quarter)\b)[a-zäöüéèàçñ]{3,}\b)",
    re.IGNORECASE,
)
_AT_EACH_RE = re.compile(r"(?:\bat|@|\bà|\bzu je|\bje)\s*$", re.IGNORECASE)

_NUMBER_WORDS: dict[str, int] = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
    "eighteen": 18,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "a": 1,
    "an": 1,
    "ein": 1,
    "eine": 1,
    "einen": 1,
    "zwei": 2,
    "drei": 3,
    "vier": 4,
    "fünf": 5,
    "funf": 5,
    "sechs": 6,
    "zehn": 10,
    "un": 1,
    "une": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "dix": 10,
    "uno": 1,
    "una": 1,
    "dos": 2,
    "tres": 3,
    "cuatro": 4,
    "cinco": 5,
    "diez": 10,
    "um": 1,
    "uma": 1,
    "dois": 2,
    "duas": 2,
    "quatro_pt": 4,
    "een": 1,
    "twee": 2,
    "drie": 3,
    "vijf": 5,
}
_NUM_WORD_RE = "|".join(sorted((w for w in _NUMBER_WORDS if "_" not in w), key=len, reverse=True))

#: "600 eng hours", "1,840 dev hrs": hours after a count, who worked them in between
_HOURS_AFTER_COUNT = (
    r"(?:(?:eng|engineering|engineer|dev|developer|developers|contractor|consultant)\s)?"
    r"(?:hours|hrs|h|uur|uren|stunden|std|heures|horas|ore)(?![a-z0-9])"
)
#: "36 rate mensili", "24 monthly payments": how a price is paid, not how many are bought
_INSTALMENTS = (
    r"(?:monthly |equal |rate )?(?:payments|instal+ments|rate\b|raten|mensualites|versements|"
    r"cuotas|parcelas|prestacoes|termijnen)"
)
_YEAR_UNITS = r"years?|yrs?|y\b|jahre?n?|ans?\b|années?|annees?|años?|anos?|jaar|jaren|年"
_MONTH_UNITS = r"months?|mos?\b|monate?n?|mois|meses|mes\b|maanden|maand|[ヶかカケ箇]月"
_LIFE_CONTEXT = re.compile(
    r"life|lifetime|lifespan|useful|last(?:s|ing)?|in use|used for|use it for|depreciat|"
    r"reuse\b[^.;\n]{0,30}over the next|"
    r"nutzungsdauer|lebensdauer|durée|duree|vie\b|vida|levensduur|gebruiksduur|amortiz|"
    r"abschreib|keep (?:it|them) for|will run for|run it for|service for|耐用|使用|使う|利用|償却",
    re.IGNORECASE,
)
_LIFE_RE = re.compile(
    # not inside a Latin word: "payroll" and "May" hold no "a yr" / "a y" (耐用年数5年 does)
    rf"(?<![A-Za-z\u00c0-\u024f])(?P<a>\d+(?:[.,]\d+)?|{_NUM_WORD_RE})\+?"
    rf"(?:\s?(?:-|–|to|bis|à|a|tot|or|ou|o)\s?(?P<b>\d+(?:[.,]\d+)?|{_NUM_WORD_RE}))?"
    rf"[\s-]?(?P<unit>{_YEAR_UNITS}|{_MONTH_UNITS})",
    re.IGNORECASE,
)
_QUANTITY_RE = re.compile(
    rf"(?<![^\W{CJK_SCRIPT}])(?<![$€£¥.,])(?P<n>\d{{1,4}}|{_NUM_WORD_RE})(?:\s?x)?"
    # Japanese counts with a counter word: 3台, 10脚, 5ライセンス
    r"(?:\s+(?=[a-z])|\s?(?=台|個|脚|枚|名|人分|セット|式|ライセンス|基|本|ユーザー))",
    re.IGNORECASE
)
#: "over 5k", "threshold is $500": a number compared with, not a cost.
_COMPARISON_BEFORE = re.compile(
    r"(?:over|above|under|below|than|exceeds?|threshold(?: is)?|limit(?: is)?|cap(?: is)?|"
    r"mehr als|über|plus de|más de|mais de|d[ée]passe|supera|superior a|boven|oltre|sopra)"
    r"\s*(?:the\s+|our\s+|die\s+|le\s+|el\s+|o\s+)?$",
    re.IGNORECASE,
)
#: "the 5k threshold", "la soglia di 5.000 €": the policy's limit, not a cost.
_LIMIT_AFTER = re.compile(
    r"^\s*(?:threshold|limit|cap\b|line\b|schwelle|grenze|seuil|umbral|limiar|drempel|soglia)",
    re.IGNORECASE,
)
#: "2x", "x 4" (a count after the thing: "H100 x8"); not "X1 Carbon", a model's name
_TIMES_RE = re.compile(
    r"(?<!\w)(?:x\s?(?P<a>\d{1,4})(?!\w)(?!\s*[a-z])|(?P<b>\d{1,4})\s?x(?!\w))", re.IGNORECASE
)


@dataclass(frozen=True)
class Found:
    """Something read from the text, with where it was."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class FoundMoney(Found):
    money: Money
    each: bool  # "at $300 each": a unit price


@dataclass(frozen=True)
class FoundLife(Found):
    life: UsefulLife
    explicit: bool  # said with a life word ("5 year life"), not just a duration


@dataclass(frozen=True)
class FoundQuantity(Found):
    quantity: int


def parse_number(text: str) -> Decimal | None:
    """Parse "12,000", "12.000", "8.500", "1.2", "1,5", "15'000", "12 000,50" into a Decimal."""
    cleaned = text.replace("'", "").replace("’", "").replace(" ", "")
    if "," in cleaned and "." in cleaned:
        decimal_sep = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        thousands = "." if decimal_sep == "," else ","
        cleaned = cleaned.replace(thousands, "").replace(decimal_sep, ".")
    elif "," in cleaned or "." in cleaned:
        sep = "," if "," in cleaned else "."
        parts = cleaned.split(sep)
        if len(parts) > 2 or (len(parts[-1]) == 3 and parts[0] != "0"):
            cleaned = cleaned.replace(sep, "")  # thousands separator: 12,000 / 8.500
        else:
            cleaned = cleaned.replace(sep, ".")  # decimal: 1.2 / 1,5
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


def find_amounts(text: str, default_currency: str | None) -> list[FoundMoney]:
    """Every money amount in ``text``. Bare numbers count only with a k/M suffix."""
    found: list[FoundMoney] = []
    for match in _AMOUNT_RE.finditer(text):
        pre, post, mult = match.group("pre"), match.group("post"), match.group("mult")
        # "$1,150,000 MXN": a bare dollar sign before, the currency's code after
        symbol = post if pre == "$" and post else (pre or post)
        if symbol is None and mult is None:
            continue
        if mult and mult.lower() == "t" and post is None:
            continue  # "40 t tractor unit" weighs; "30 T€" costs
        if _COMPARISON_BEFORE.search(
            text[max(0, match.start() - 24) : match.start()]
        ) or _LIMIT_AFTER.match(text[match.end() :]):
            continue
        if (
            symbol is None
            and mult
            and mult.lower() in ("m", "mil")
            and _looks_like_length(text, match)
        ):
            continue
        if symbol is None and mult and _COUNTED_AFTER.match(text[match.end() :]):
            continue  # "~200k images", "a 4K camera": a count or a resolution
        currency = CURRENCY_SYMBOLS[symbol.lower()] if symbol else default_currency
        if currency is None:
            continue
        if mult and mult.lower() == "mil" and (symbol or "").lower() not in _MIL_MEANS_THOUSAND:
            continue  # ambiguous: the bot asks for the amount rather than guess
        number = parse_number(match.group("num"))
        if number is None:
            continue
        if mult:
            number *= _MULTIPLIERS[mult.lower().rstrip(" ")]
        rest = text[match.end() :]
        unit = _EACH_RE.match(rest)
        each = unit is not None or bool(_AT_EACH_RE.search(text[: match.start()]))
        after_unit = rest[unit.end() :] if unit else rest  # "$99/user/month": monthly
        per = next(
            (p for p, rx in _PERIOD_RE.items() if rx.match(rest) or rx.match(after_unit)), None
        )
        found.append(
            FoundMoney(
                match.start(),
                match.end(),
                match.group(0).strip(),
                Money(amount=number, currency=currency, per=per),
                each,
            )
        )
    return _adjusted(text, found)


_PERCENT = r"(?P<pct>\d{1,2}(?:[.,]\d{1,2})?)\s?%"
#: "15% off", "10 % de descuento", "Rabatt von 8 %", "sconto del 12%": the price is lowered.
_DISCOUNT_RE = re.compile(
    rf"{_PERCENT}\s?(?:off\b|(?:volume |trade )?discount|rebate|rabatt|nachlass|"
    r"de (?:remise|rabais|descuento|desconto)|korting|di sconto)"
    r"|(?:discount|rabatt|nachlass|remise|rabais|descuento|desconto|korting|sconto)\s"
    r"(?:of |von |de |del |van |do |da |di )?(?:un |una |uno )?"
    r"(?P<pct2>\d{1,2}(?:[.,]\d{1,2})?)\s?%",
    re.IGNORECASE,
)
_TAX = r"(?:vat|iva|tva|ust\.?|mwst\.?|btw|gst|sales tax)"
_NOT_RECOVERABLE = (
    r"(?:non[- ]?recoverable|not recoverable|irrecoverable|(?:we )?(?:can'?t|cannot) (?:reclaim|"
    r"recover)|indetraibile|non detraibile|nicht abziehbar|nicht erstattungsf[aä]hig|"
    r"non r[ée]cup[ée]rable|no recuperable|n[aã]o recuper[aá]vel|"
    r"niet (?:aftrekbaar|terugvorderbaar))"
)
#: "+ IVA 22% indetraibile", "non-recoverable VAT of 20%": the tax is part of the cost
#: (IAS 16.16(a); ASC 360-10-30-1). Recoverable tax is a receivable and changes nothing.
_TAX_IN_COST_RE = re.compile(
    rf"{_TAX}\W{{0,3}}(?:of )?{_PERCENT}[^.;\n]{{0,40}}?{_NOT_RECOVERABLE}"
    rf"|{_NOT_RECOVERABLE}\W{{1,3}}{_TAX}\W{{0,3}}(?:of )?"
    r"(?P<pct2>\d{1,2}(?:[.,]\d{1,2})?)\s?%",
    re.IGNORECASE,
)
#: "640 hours of coding ... at $110": the amount is a rate, the cost is hours times it.
_HOURS_RE = re.compile(
    rf"(?P<hours>\d{{1,3}}(?:[.,' ]\d{{3}})*)\s?{_HOURS_AFTER_COUNT}",
    re.IGNORECASE,
)
#: Where a sentence ends: not after an abbreviation ("1.450 Std. Programmierung à 78 €").
_SENTENCE_END = re.compile(
    r"(?<!\bstd)(?<!\bca)(?<!\bincl)(?<!\binkl)(?<!\bapprox)(?<!\bnr)(?<!\bno)[.!?](?=\s)|\n",
    re.IGNORECASE,
)
_RATE_BEFORE_RE = re.compile(r"(?:\bat|@|\bà|\ba|\bzu|\bje|\bper)\s*$", re.IGNORECASE)


def _adjusted(text: str, found: list[FoundMoney]) -> list[FoundMoney]:
    """Amounts as the policy counts them: after a stated discount, with a tax said to be
    non-recoverable added, and an hourly rate times the hours it is for."""
    adjusted = list(found)
    for pattern, sign in ((_DISCOUNT_RE, -1), (_TAX_IN_COST_RE, 1)):
        for match in pattern.finditer(text):
            percent = parse_number(match.group("pct") or match.group("pct2"))
            index = _amount_before(text, adjusted, match.start())
            if percent is None or index is None:
                continue
            amount = adjusted[index]
            factor = 1 + sign * percent / 100
            money = amount.money.model_copy(update={"amount": _cents(amount.money.amount * factor)})
            adjusted[index] = replace(amount, money=money)
    for index, amount in enumerate(adjusted):
        hours = _hours_for(text, amount)
        if hours is not None:
            money = amount.money.model_copy(update={"amount": amount.money.amount * hours})
            adjusted[index] = replace(amount, money=money, each=False)
    return adjusted


def _amount_before(text: str, found: list[FoundMoney], position: int) -> int | None:
    """The last amount before ``position`` in the same sentence."""
    before = [i for i, a in enumerate(found) if a.end <= position]
    if not before:
        return None
    index = before[-1]
    between = text[found[index].end : position]
    return None if re.search(r"[.;\n](?:\s|$)", between) else index


def _hours_for(text: str, amount: FoundMoney) -> Decimal | None:
    """Hours stated earlier in the sentence when the amount reads as a rate ("at $110")."""
    ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, amount.start)]
    sentence_start = ends[-1] if ends else 0
    if not _RATE_BEFORE_RE.search(text[sentence_start : amount.start]):
        return None
    hours = list(_HOURS_RE.finditer(text, sentence_start, amount.start))
    return parse_number(hours[-1].group("hours")) if hours else None


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


#: what a bare "200k" or "4K" counts or describes when it is not money
_COUNTED_AFTER = re.compile(
    r"\s?(?:imgs?|images?|photos?|documents?|docs?|pages?|records?|rows?|tickets?|users?|"
    r"customers?|tokens?|requests?|calls?|queries|files?|samples?|items?|labels?|"
    r"annotations?|hours?|hrs|miles?|km|views?|impressions?|clicks?|followers?|"
    r"subscribers?|bilder|fotos|dokumente|datensatze|lignes|fichiers|imagenes|imagens|"
    r"registros|cinema|camera|display|monitor|tv|video|resolution|screen|hdr|uhd)\b",
    re.IGNORECASE,
)


def _looks_like_length(text: str, match: re.Match[str]) -> bool:
    """'3 m' of cable or '5 mil' are not millions when nothing else says money."""
    return bool(re.match(r"\s*(?:cable|long|wide|high)", text[match.end() :], re.IGNORECASE))


#: "a month" right after an amount says how often it is paid ("$9,000 a month"), not how long.
_RATE_ARTICLE = re.compile(r"(?:a|an|one)$", re.IGNORECASE)
_AMOUNT_END = re.compile(r"[\d$€£¥₹]\s*(?:k|m|mm|mn|mil)?\.?\s*$", re.IGNORECASE)


def find_useful_life(text: str) -> list[FoundLife]:
    """Durations; ``explicit`` when a life word is near ("5 year life", "Nutzungsdauer 5 Jahre")."""
    found: list[FoundLife] = []
    for match in _LIFE_RE.finditer(text):
        if _RATE_ARTICLE.match(match.group("a")) and _AMOUNT_END.search(text[: match.start()]):
            continue  # "$9,000 a month" is a rate, not a period of one month
        low = _to_number(match.group("a"))
        high = _to_number(match.group("b")) if match.group("b") else low
        if low is None or high is None or low <= 0:
            continue
        in_years = re.match(_YEAR_UNITS, match.group("unit"), re.IGNORECASE) is not None
        factor = 12 if in_years else 1
        min_months = round(low * factor)
        max_months = round(high * factor)
        if not 0 < min_months <= max_months <= 1200:
            continue
        window = text[max(0, match.start() - 40) : match.end() + 30]
        explicit = _LIFE_CONTEXT.search(window) is not None
        found.append(
            FoundLife(
                match.start(),
                match.end(),
                match.group(0),
                UsefulLife(min_months=min_months, max_months=max_months),
                explicit,
            )
        )
    return found


#: Units of measure after a number: "250 kVA", "42U", "3 t", "4-acre" are sizes, not counts.
_MEASURES = (
    r"(?:kva|kw|kwh|mw|mwh|hp|ps|cv|va|v|w|kg|kgs|lbs?|tons?|tonnes?|l|liters?|litres?|"
    r"mm|cm|inch|inches|ft|feet|sqm|sq ?ft|m2|m²|acres?|hectares?|ha|gallons?|gal|psi|bar|"
    r"mph|km|miles?|rpm|ghz|mhz|gbps|mbps|u|°|degrees?)\b"
)


#: "a 2x RTX 4090 box", "one server with 8 GPUs", "(4x L40S each)": a count of the parts of
#: one item, not of the items bought.
_PART_OF_ONE = re.compile(
    r"(?:\b(?:a|an|one|with|w/|mit|avec|con|com|met|inkl|incl|including)|\()\s*$", re.IGNORECASE
)
#: "RTX 4090 render box", "model 3 sedan": a model number, not a count.
_MODEL_BEFORE = re.compile(
    r"\b(?:rtx|gtx|rx|quadro|model|modelo|modell|type|typ|series|serie|no|nr|mk|gen|version|"
    r"v|iphone|pixel|galaxy|surface|xps|precision|latitude|optiplex|poweredge|thinkpad)\.?\s*$",
    re.IGNORECASE,
)
#: "the 2021 storage array", "since 2019": a year, not a count.
_YEAR_BEFORE = re.compile(
    r"\b(?:the|our|its|in|from|since|of|de|du|von|vom|seit|del|do|da|van|sinds|dal|depuis|"
    r"desde)\s*$",
    re.IGNORECASE,
)


#: After a number, what makes it a duration, size, share, hours or instalments, not a count.
_NOT_A_COUNT_AFTER = re.compile(
    rf"(?:{_YEAR_UNITS}|{_MONTH_UNITS}|%|k\b|m\b|gb|tb|days|weeks|{_MEASURES}"
    rf"|{_HOURS_AFTER_COUNT}|{_INSTALMENTS})"
)


def find_quantities(text: str, skip: list[Found]) -> list[FoundQuantity]:
    """Counts of things: "40 monitors", "3x servers", "x3". Numbers inside amounts are skipped."""
    taken = [(f.start, f.end) for f in skip]

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    found: list[FoundQuantity] = []
    for match in _TIMES_RE.finditer(text):
        if free(match.start(), match.end()) and not _PART_OF_ONE.search(text[: match.start()]):
            n = int(match.group("a") or match.group("b"))
            found.append(FoundQuantity(match.start(), match.end(), match.group(0), n))
            taken.append((match.start(), match.end()))
    for match in _QUANTITY_RE.finditer(text):
        if not free(match.start(), match.end()):
            continue
        number = _to_number(match.group("n"))
        if number is None or number != int(number) or number < 1:
            continue
        before = text[: match.start()]
        if (
            _PART_OF_ONE.search(before)
            or _MODEL_BEFORE.search(before)
            or (1900 <= number <= 2100 and _YEAR_BEFORE.search(before))
        ):
            continue
        if _NOT_A_COUNT_AFTER.match(text[match.end() : match.end() + 12].lower()):
            continue
        found.append(FoundQuantity(match.start(), match.end(), match.group(0), int(number)))
    return sorted(found, key=lambda q: q.start)


def _to_number(token: str) -> float | None:
    word = token.lower()
    if word in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[word])
    number = parse_number(token)
    return float(number) if number is not None else None
