"""Read a one-line sale ("आज ३ कुर्ते ४५० में बेचे", "sold 2 diya set for 300 each on flipkart").

Pure function :func:`parse_sale` → :class:`SaleReading`. No database, no Telegram, no
user-facing text: the caller shows what was understood and asks about ``missing`` values.

How a message is read
=====================

1. Only the first ``MAX_INPUT_CHARS`` characters are ever looked at; a message longer than
   ``MAX_SALE_CHARS`` (after collapsing spaces) is not a one-line sale (``reason="too_long"``).
   Devanagari digits become ASCII; explicit dates ("12 nov", "12/11", "12 तारीख"),
   clock times ("5 baje", "10:30") and percentages are taken out before numbers are read.
2. Words and short phrases are tagged from small vocabularies (Hindi, Hinglish, English):
   sale verbs, future/plan words, questions, purchases, expenses, returns, negation, days,
   channels, currency, units and price-kind words. Everything untagged that is not a number
   is a *content word* (a candidate product name).
3. Numbers are read with :func:`bot.numbers.parse_number` (digits in either script, grouping,
   number words: दो, डेढ़ सौ, dhai sau, 1.5k ...).

Is it a sale?
-------------
Not a sale when the message has a "?" or a question word (कितने, क्या, kaise, how, what ...),
a future/plan form (बेचूंगा, bechenge, will sell, tomorrow, अगले ...), a habitual or ongoing
form (बेचता हूँ, bech raha, I sell, आजकल), a negation (नहीं, didn't, no sale), a return or
cancellation, an expense, or a purchase (खरीदा, kharide, bought) — unless a customer is the
buyer ("ग्राहक ने 3 कुर्ते खरीदे" is a sale). Several sales in one message ("2 kurte 900 aur
3 dupatte 600": counts before two different products) are not read (``reason="several"``):
one sale per message. Requests ("dikhao", "add", "report") stop only
a message without a sale verb. With a past sale verb (बेचा/बेचे/बेची/बिका/बिके/बिकी, becha,
bike, sold, bik gaye, bech diye, sale hua ...) the message is a sale if it has a quantity, a
price or a product. Without a verb it is a sale only when it has a quantity, a price and a
product word ("kal 5 toran 1200", "5 kurta 2250 total"). A lone number is never a sale.

Which number is what
--------------------
* A price is *marked* by currency (₹, Rs, रुपये, /-) next to it, a word before it (for, at,
  @, rate, दाम, कीमत) or a price-kind word right after it (each, total, कुल, प्रति); it is
  *weakly marked* by a following में / me / का / के / की / wala.
* A quantity is *marked* by a unit after it (pcs, piece, पीस, नग, set, जोड़ी, dozen ×12,
  meter, kg) or "qty" before it; it is *weakly marked* when a product word follows it
  ("3 कुर्ते"). "A x B" is quantity A at B each.
* With two or more numbers the (quantity, price) pair with the most marks wins, a pair
  whose quantity is below its price scoring one more (and one less when above); on a tie
  the earlier numbers win. A quantity must be a whole number; when no pair reads well, the
  best-marked number is a price alone.
* A single unmarked number is the quantity when it is below 10, else the price.
* "N din pehle" / "N दिन पहले" / "N days ago" is a day, not a quantity.

Per piece or total (``price_kind``)
-----------------------------------
* quantity 1 → "unit" (the same thing).
* "unit" when a per-piece word is present: each, per (piece), apiece, @, at, rate, भाव,
  प्रति, हर एक, har ek, का एक / ek ka, वाले / wale.
* "total" when a total word is present: total, कुल, kul, सब / sab / saare, मिलाकर /
  milakar, in all, altogether, dono / दोनों, teeno / तीनों.
* both present: the one nearer to the price.
* otherwise, with quantity > 1 or unknown: None — "450 में", "300 रुपये के", "for 300" or a
  bare "1200" could be either, so the caller asks ("price_kind" in ``missing``).

Day
---
आज/aaj/today/abhi → today; कल/kal/yesterday → yesterday (only past sales are read, so कल is
never tomorrow here); परसों/parson → 2 days ago; "N din pehle" → N days ago; a weekday name →
its last occurrence before today; "12 nov", "12/11", "12/11/2026", "12 तारीख" → that date
(without a year: the latest such date not after today). A date after today gives None.
Nothing said → None (the caller uses today).

Product
-------
Product names and content words are reduced to phonetic keys
(:func:`bot.services.district_match.phonetic_keys`: either script, spelling folded), and each
key word to its inflection forms, so कुर्ता/कुर्ते/कुर्तों/kurta/kurte/kurtas,
दीया/दीये/दिये/diya/diye/diyas and साड़ी/साड़ियाँ/saree/sarees/sari meet, while kurta ≠ kurti.
Words then match exactly or fuzzily (≥ 85, prefix of ≥ 5 letters). A product scores by
how much of its name is covered (by length). An exact SKU in the text wins outright. The best
product is chosen when it is the only one with a matching word, or it is named completely
and no other is, or it leads by 25 points; otherwise the close ones are ``product_candidates``.

``missing`` lists what to ask, in asking order: "product", "quantity", "price", "price_kind".
"""

from __future__ import annotations

import calendar
import functools
import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from rapidfuzz import fuzz

from bot.numbers import MAX_PRICE_PAISE, MAX_QUANTITY, normalize_digits, parse_number
from bot.services.district_match import phonetic_key, phonetic_keys

__all__ = [
    "CHANNELS",
    "MAX_INPUT_CHARS",
    "MAX_SALE_CHARS",
    "MISSING_FIELDS",
    "NOT_SALE_REASONS",
    "PriceKind",
    "ProductMatch",
    "ProductRef",
    "SaleReading",
    "channel_code",
    "match_product",
    "parse_sale",
]

PriceKind = Literal["unit", "total"]

#: Channel codes, in the order of the button menu.
CHANNELS: tuple[str, ...] = (
    "flipkart",
    "amazon",
    "meesho",
    "gem",
    "odop_mart",
    "local",
    "whatsapp",
    "other",
)
#: Possible entries of :attr:`SaleReading.missing`, in asking order.
MISSING_FIELDS: tuple[str, ...] = ("product", "quantity", "price", "price_kind")
#: Possible values of :attr:`SaleReading.reason` when ``is_sale`` is False.
NOT_SALE_REASONS: tuple[str, ...] = (
    "empty",
    "too_long",
    "command",
    "question",
    "negative",
    "future",
    "habitual",
    "purchase",
    "expense",
    "return",
    "request",
    "several",
    "no_sale_words",
)

#: Hard cut before anything else is done with the text.
MAX_INPUT_CHARS = 5000
#: A longer message (after collapsing spaces) is not read as a one-line sale.
MAX_SALE_CHARS = 200

_MAX_NUMBER_RUN = 6
_WORD_MATCH = 85.0
_PREFIX_MATCH = 90.0
_MIN_PREFIX = 5
_LEAD_MARGIN = 25.0
_FULL = 99.0
_MAX_CANDIDATES = 5


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class ProductRef:
    """One of the artisan's products (name in Hindi or English, optional SKU)."""

    id: int
    name: str
    sku: str | None = None


@dataclass(frozen=True, slots=True)
class ProductMatch:
    """Result of :func:`match_product`: ``product_id`` only for a clear match; otherwise
    ``candidates`` (best first) when several products fit; ``text`` = the words that matched."""

    product_id: int | None
    candidates: tuple[int, ...]
    text: str | None
    score: float


@dataclass(frozen=True, slots=True)
class SaleReading:
    """What was understood from one message. Amounts are integer paise.

    ``price_kind`` says whether ``amount_paise`` is per piece ("unit") or for the whole
    sale ("total"); None means not known. ``reason`` is set when ``is_sale`` is False
    (one of :data:`NOT_SALE_REASONS`).
    """

    is_sale: bool
    quantity: int | None = None
    amount_paise: int | None = None
    price_kind: PriceKind | None = None
    product_id: int | None = None
    product_candidates: tuple[int, ...] = ()
    product_text: str | None = None
    channel: str | None = None
    day: date | None = None
    missing: tuple[str, ...] = ()
    reason: str | None = None

    @property
    def unit_price_paise(self) -> int | None:
        """Price per piece, when known (a total is divided and rounded to the paisa)."""
        if self.amount_paise is None:
            return None
        if self.price_kind == "unit":
            return self.amount_paise
        if self.price_kind == "total" and self.quantity:
            return _div_round(self.amount_paise, self.quantity)
        return None

    @property
    def total_paise(self) -> int | None:
        """Amount for the whole sale, when known."""
        if self.amount_paise is None:
            return None
        if self.price_kind == "total":
            return self.amount_paise
        if self.price_kind == "unit" and self.quantity:
            return self.amount_paise * self.quantity
        return None


def _div_round(numerator: int, denominator: int) -> int:
    return int((Decimal(numerator) / Decimal(denominator)).quantize(Decimal(1), ROUND_HALF_UP))


def _not_sale(reason: str) -> SaleReading:
    return SaleReading(is_sale=False, reason=reason)


# --------------------------------------------------------------------------- folding

_NUKTA = "\u093c"
_ZW = str.maketrans("", "", "\u200c\u200d\u00ad")
_HAS_DEVANAGARI = re.compile(r"[\u0900-\u097f]")


def _fold_key(word: str) -> str:
    """Spelling-insensitive key for vocabulary lookups (nukta and chandrabindu folded)."""
    word = word.translate(_ZW)
    if _HAS_DEVANAGARI.search(word):
        word = unicodedata.normalize("NFD", word).replace(_NUKTA, "")
        word = unicodedata.normalize("NFC", word).replace("ँ", "ं")
    return word


def _prepare(text: str) -> str:
    return normalize_digits(unicodedata.normalize("NFC", text).lower())


# --------------------------------------------------------------------------- vocabulary

# category → (words and phrases, separated by "|"; a phrase is words separated by spaces)
_VOCAB_TEXT: dict[str, str] = {
    "sale": """
        बेचा|बेचे|बेची|बेचीं|बिका|बिके|बिकी|बिकीं|becha|beche|bechi|bechaa|
        bechey|bechin|bika|bike|biki|bikin|bikeen|bikaa|bikey|sold|
        bik gaya|bik gaye|bik gayi|bik gya|bik gye|bik gyi|bik gai|bik gae|bik gaya hai|
        बिक गया|बिक गए|बिक गये|बिक गई|बिक गयी|
        bech diya|bech diye|bech di|bech dia|bech diyi|bech dii|bech dye|
        बेच दिया|बेच दिए|बेच दिये|बेच दी|बेच दीं|
        sell kiya|sell kiye|sell ki|sell kia|sell kar diya|sell kar diye|sell kar di|
        sell ho gaya|sell ho gaye|sell ho gayi|sell hua|sell hue|sell hui|
        sale kiya|sale kiye|sale ki|sale hua|sale hui|sale hue|sale ho gaya|sale ho gayi|
        सेल किया|सेल किए|सेल किये|सेल हुआ|सेल हुई|सेल हुए|बिक्री हुई|बिक्री की|sold out
    """,
    "sale_noun": "बिक्री|बिकरी|सेल|विक्रय|bikri|bikree|sale|sales|vikray",
    "future": """
        बेचूंगा|बेचूंगी|बेचूगा|बेचेंगे|बेचेंगी|बेचेगा|बेचेगी|बेचना|बेचनी|बेचने|बेचें|बेचो|बेचिए|
        बेचिये|बिकेगा|बिकेगी|बिकेंगे|बिकेंगी|बिकें|करूंगा|करूंगी|करुंगा|करेंगे|करेगा|करेगी|
        करना|करनी|होगा|होगी|होंगे|जाएगा|जायेगा|जाएगी|जाएंगे|जायेंगे|जाऊंगा|जाऊंगी|चाहिए|चाहिये|
        चाहता|चाहती|चाहते|सोच|सोचा|सोचता|प्लान|योजना|अगले|अगला|अगली|बाद|
        bechunga|bechungi|bechoonga|bechoongi|bechuga|bechenge|bechege|bechega|bechegi|
        bechna|bechni|bechne|bechen|bechein|becho|bechiye|bechiyega|bikega|bikegi|bikenge|
        bikengi|biken|karunga|karungi|karoonga|karenge|karega|karegi|karna|karni|hoga|hogi|
        honge|jayega|jaega|jayegi|jaegi|jayenge|jaenge|jaunga|jaungi|chahiye|chahie|chahta|
        chahti|chahte|soch|sochta|sochti|socha|plan|planning|planned|agle|agla|agli|
        tomorrow|will|shall|gonna|later|baad|next|tmrw|tmw|intend|want|wanna|can|sakta|
        sakti|sakte|sakenge|सकता|सकती|सकते|सकेंगे|
        going to|आने वाले|aane wale|bech dunga|bech dungi|bech denge|बेच दूंगा|बेच दूंगी|
        बेच देंगे|bik jayega|bik jaega|bik jayenge|bik jaenge|बिक जाएगा|बिक जायेगा|बिक जाएंगे
    """,
    "habitual": """
        बेचता|बेचती|बेचते|बिकता|बिकती|बिकते|आजकल|रोज|रोज़|bechta|bechti|bechte|bikta|bikti|bikte|
        selling|sells|roz|daily|usually|generally|
        bech raha|bech rahi|bech rahe|bech rha|bech rhe|बेच रहा|बेच रही|बेच रहे|bik raha|
        bik rahe|bik rahi|बिक रहा|बिक रहे|बिक रही|i sell|we sell|aaj kal|आज कल|har din|हर दिन
    """,
    "purchase": """
        खरीदा|खरीदे|खरीदी|खरीद|खरीदना|खरीदने|मंगाया|मंगवाया|लिया|kharida|kharide|kharidi|
        khareeda|khareede|khareedi|kharid|khareed|kharidna|kharidne|bought|buy|buying|
        purchased|purchase|purchasing|mangaya|mangwaya|liya|le aaya|le aaye|ले आया|ले आए
    """,
    "customer": """
        ग्राहक|ग्राहकों|खरीदार|customer|customers|grahak|grahakon|buyer|buyers|kharidar|client|
        clients|kisi ne|किसी ने|logon ne|लोगों ने
    """,
    "expense": """
        खर्च|खर्चा|खर्चे|किराया|मजदूरी|भाड़ा|kharch|kharcha|kharche|spent|spend|paid|expense|
        expenses|kiraya|rent|salary|majdoori|majduri|bhada
    """,
    "negation": """
        नहीं|नही|nahi|nahin|nhi|nahee|not|didn't|didnt|don't|dont|never|no sale|
        no sales|no order|no orders
    """,
    "question": """
        कितने|कितना|कितनी|क्या|कैसे|कैसा|कब|कौन|क्यों|क्यूं|कहां|किधर|kitne|kitna|kitni|
        kitnay|kya|kyaa|kaise|kese|kaisa|kab|kaun|kon|kyu|kyun|kyon|kahan|kaha|kidhar|how|
        what|when|which|why|who|where|whom|whose|should|could
    """,
    "request": """
        बताओ|बताइए|बताएं|दिखाओ|दिखाइए|जोड़ो|जोड़ें|हटाओ|बदलो|मदद|स्टॉक|batao|bataiye|bataye|
        dikhao|dikhaiye|dikhana|show|tell|list|report|help|madad|add|jodo|update|edit|delete|
        hatao|badlo|change|menu|start|stock|setting|settings|profile|remove
    """,
    "return": """
        वापस|वापिस|लौटा|लौटाया|लौटाए|रद्द|रिफंड|return|returned|returns|wapas|wapis|vapas|
        lauta|lautaya|cancel|cancelled|canceled|radd|refund|refunded|rto
    """,
    "day0": "आज|अभी|aaj|aj|aaj|today|today's|abhi|just now|right now",
    "day1": "कल|kal|kall|yesterday|yesterday's|ystrdy|yday|yest|last night|कल रात",
    "day2": "परसों|परसो|parson|parso|parsoon|parsun|day before yesterday",
    "currency": """
        ₹|rs|inr|rupees|rupee|rupaye|rupaiye|rupay|rupya|rupye|rupiya|rupiye|rupaya|rupaiya|
        रुपये|रुपए|रुपया|रुपैया|रूपये|रूपए|रूपया|रुपयों|रु|रू
    """,
    "price_before": """
        for|at|@|price|rate|daam|dam|kimat|keemat|mulya|amount|paise|paisa|रेट|दाम|कीमत|
        मूल्य|रकम|पैसे|भाव|bhav|bhaav
    """,
    "price_after": """
        में|मे|me|mein|mai|main|may|mei|का|के|की|ka|ke|ki|ke liye|के लिए|के लिये|ki liye|mil|mile|
        मिले|मिला|mila
    """,
    "unit_kind": """
        each|per|apiece|@|at|rate|रेट|भाव|bhav|bhaav|प्रति|prati|pratyek|प्रत्येक|wale|wala|wali|
        hisab|hisaab|hisab se|hisaab se|हिसाब|हिसाब से|
        वाले|वाला|वाली|फी|fi|har ek|हर एक|per piece|per pc|per pcs|a piece|each piece|
        प्रति पीस|per unit|each one
    """,
    "total_kind": """
        total|totally|टोटल|कुल|kul|sab|sabhi|saare|sare|saari|सब|सभी|सारे|सारी|milakar|milake|
        milkar|मिलाकर|मिलके|altogether|overall|together|dono|donon|दोनों|teeno|teenon|तीनों|
        charon|चारों|poore|पूरे|in all|in total|sab milakar|सब मिलाकर
    """,
    "qty_unit": """
        pcs|pc|piece|pieces|nos|nag|qty|units|unit|items|item|pair|pairs|packet|packets|
        पीस|नग|जोड़ी|जोड़े|जोड़ा|पैकेट|meter|metre|meters|metres|mtr|मीटर|kg|किलो|kilo|
        gram|grams|ग्राम|than|thaan|थान|jodi|jode|joda
    """,
    "dozen": "dozen|darjan|दर्जन|dozens",
    "set": "set|sets|सेट",
    "qty_before": "qty|quantity|मात्रा|matra|x|×|*",
    "din": "din|दिन|days|day|dino|दिनों",
    "ago": "pehle|pahle|phle|pehele|पहले|ago|back",
    "tarikh": "tarikh|tareekh|tarik|तारीख|ता",
    "greeting": """
        hi|hello|hey|namaste|namaskar|pranam|नमस्ते|नमस्कार|प्रणाम|thanks|thank|you|
        dhanyavad|धन्यवाद|shukriya|good|morning|evening|night|afternoon
    """,
    "stop": """
        maine|mene|meine|maine|humne|hamne|hmne|hum|ham|ne|मैंने|मैने|हमने|हम|ने|मैं|mai|
        i|we|my|our|mera|meri|mere|apna|apni|apne|मेरा|मेरी|मेरे|अपना|अपनी|अपने|ko|को|se|से|
        pe|par|pr|पर|पे|on|via|through|from|in|to|the|a|an|of|and|aur|और|bhi|भी|tha|thi|
        the|था|थी|थे|hai|hain|he|है|हैं|ho|हो|hua|hui|hue|हुआ|हुई|हुए|gaya|gaye|gayi|gya|gye|
        गया|गए|गई|गये|गयी|kar|kiya|kiye|kia|kari|कर|किया|किए|किये|करके|karke|ji|जी|sir|
        madam|bhai|bhaiya|didi|भाई|दीदी|ok|okay|ओके|please|plz|pls|kripya|कृपया|yes|haan|han|
        हाँ|हां|order|orders|ऑर्डर|आर्डर|aaya|aaye|aayi|आया|आए|आई|got|received|only|sirf|
        bas|मात्र|सिर्फ|केवल|subah|सुबह|shaam|sham|शाम|raat|रात|dopahar|दोपहर|is|was|were|
        are|am|it|its|this|that|ye|yeh|ये|यह|wo|woh|वो|वह|ab|अब|aj|sell|bech|बेच|bik|बिक|
        with|saath|sath|साथ|total|ek|one
    """,
}

# Some words are both a number and something else: these count as numbers only right before
# a content word or another number word ("do kurte" = 2, "how do I" is not).
_RISKY_NUMBER_WORDS = frozenset(
    "do sat tin tera bara saath sath sola che nao ath bis tis das nau सो नव one half".split()
)
_ABBREV_MULTIPLIERS = frozenset({"k", "l", "cr", "lac"})
_MULTIPLIER_WORDS = frozenset(
    """sau hundred hazaar hazar hajar hajaar hazzar thousand lakh lakhs laakh lac lacs million
    crore crores karod karor karore cr k l सौ हज़ार हजार लाख करोड़ करोड""".split()
)
_MODIFIER_WORDS = frozenset(
    "सवा sawa sava swa साढ़े साढे sadhe saadhe saade sade sadhey saadhey sarhe पौने paune pone"
    " pauney".split()
)
_FILLER_WORDS = frozenset({"and", "aur", "और"})
_ARTICLES = frozenset({"a", "an"})
_KA = frozenset({"ka", "ki", "ke", "का", "की", "के"})
_EK = frozenset({"ek", "एक", "1", "one"})
_X_SYMBOLS = frozenset({"x", "×", "*"})

# Channel vocabulary: code → words and phrases.
_CHANNEL_TEXT: dict[str, str] = {
    "flipkart": "flipkart|flipcart|flipkar|flip kart|फ्लिपकार्ट|फ्लिपकार्ड|फ्लिप कार्ट|fk",
    "amazon": """amazon|amazone|amzon|amezon|amajon|amazon.in|amzn|अमेज़न|अमेजन|अमेज़ॉन|
        अमेजॉन|एमेजॉन|ऐमज़ॉन|एमेज़ॉन|अमाज़ोन""",
    "meesho": "meesho|misho|mesho|meeshow|मीशो|मिशो",
    "gem": "gem|जेम|gem portal|जेम पोर्टल|government e marketplace|govt e marketplace",
    "odop_mart": """odop|ओडीओपी|ओडोप|odop mart|odopmart|ओडीओपी मार्ट|exhibition|exhibitions|
        pradarshani|pradarshni|प्रदर्शनी|mela|mele|melaa|मेला|मेले|मेलों|fair|expo|
        trade fair|trade show|hunar haat|हुनर हाट|hunar|हुनर|stall|स्टॉल|स्टाल|craft mela""",
    "local": """local|लोकल|dukan|dukaan|dukan|दुकान|shop|store|showroom|own shop|apni dukan|
        अपनी दुकान|bazaar|bazar|बाज़ार|बाजार|market|मार्केट|haat|हाट|ghar se|घर से|offline|
        counter|gaon|गांव""",
    "whatsapp": """whatsapp|watsapp|whatsap|whatsaap|watsap|whats app|wa|वॉट्सऐप|व्हाट्सएप|
        व्हाट्सऐप|वाट्सएप|व्हाट्सप|वॉट्सएप""",
    "other": """instagram|insta|facebook|fb|website|online|ऑनलाइन|indiamart|etsy|snapdeal|
        myntra|jiomart|shopify|इंस्टाग्राम|फेसबुक|वेबसाइट""",
}
# Spellings close to these (phonetically) are read as the channel too.
_FUZZY_CHANNELS = {
    "flipkart": "flipkart",
    "amazon": "amazon",
    "meesho": "meesho",
    "whatsapp": "whatsapp",
    "exhibition": "odop_mart",
    "pradarshani": "odop_mart",
    "instagram": "other",
    "facebook": "other",
}

_WEEKDAYS_TEXT = (
    "सोमवार|somvar|somwar|monday",
    "मंगलवार|mangalvar|mangalwar|tuesday",
    "बुधवार|budhvar|budhwar|wednesday",
    "गुरुवार|बृहस्पतिवार|guruvar|guruwar|brihaspativar|thursday",
    "शुक्रवार|shukravar|shukrawar|sukravar|friday",
    "शनिवार|shanivar|shaniwar|saturday",
    "रविवार|इतवार|ravivar|raviwar|itvar|itwar|sunday",
)


def _split_phrases(text: str) -> list[tuple[str, ...]]:
    result = []
    for part in text.split("|"):
        words = tuple(_fold_key(w) for w in _prepare(part).split())
        if words:
            result.append(words)
    return result


def _build_vocab() -> tuple[dict[tuple[str, ...], tuple[str, object]], int]:
    table: dict[tuple[str, ...], tuple[str, object]] = {}

    def add(phrases: str, category: str, value: object = None) -> None:
        for phrase in _split_phrases(phrases):
            table.setdefault(phrase, (category, value))

    # order matters only for exact duplicates: the first category wins
    for code, phrases in _CHANNEL_TEXT.items():
        add(phrases, "channel", code)
    for index, names in enumerate(_WEEKDAYS_TEXT):
        add(names, "weekday", index)
    for category in (
        "question", "negation", "future", "habitual", "return", "expense", "customer",
        "purchase", "sale", "sale_noun", "request", "day0", "day1", "day2", "currency", "unit_kind",
        "total_kind", "dozen", "set", "qty_unit", "qty_before", "price_before", "price_after",
        "din", "ago", "tarikh", "greeting", "stop",
    ):  # fmt: skip
        add(_VOCAB_TEXT[category], category)
    longest = max(len(k) for k in table)
    return table, longest


_VOCAB, _LONGEST_PHRASE = _build_vocab()

# a word may carry two roles: "at"/"@"/"rate" mark a price before them and a per-piece price
_ALSO_UNIT_KIND = frozenset(_fold_key(w) for w in "at @ rate रेट भाव bhav bhaav".split())
# "total"/"ek"/"one" are in "stop" only as fallbacks: total_kind and numbers come first

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "jan january जनवरी",
        "feb february फरवरी फ़रवरी",
        "mar march मार्च",
        "apr april अप्रैल अप्रेल",
        "may मई",
        "jun june जून",
        "jul july जुलाई",
        "aug august अगस्त",
        "sep sept september सितंबर सितम्बर",
        "oct october अक्टूबर अक्तूबर",
        "nov november नवंबर नवम्बर",
        "dec december दिसंबर दिसम्बर",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS[_fold_key(_prepare(_name))] = _number

_L = r"a-z\u0900-\u0963\u0971-\u097f"  # letters (after lower-casing)
_MONTH_ALT = "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))
_DATE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ymd", re.compile(r"(?<![\d/.-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\d/.-])")),
    ("dmy", re.compile(r"(?<![\d/.,-])(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})(?![\d/.-])")),
    ("dm", re.compile(r"(?<![\d/.,-])(\d{1,2})/(\d{1,2})(?![\d/])")),
    (
        "d_mon",
        re.compile(
            rf"(?<![\d{_L}])(\d{{1,2}})(?:st|nd|rd|th)?[\s-]*({_MONTH_ALT})\.?"
            rf"(?:[\s,-]*(\d{{4}}))?(?![{_L}])"
        ),
    ),
    (
        "mon_d",
        re.compile(
            rf"(?<![{_L}])({_MONTH_ALT})\.?\s*(\d{{1,2}})(?:st|nd|rd|th)?"
            rf"(?:[\s,]+(\d{{4}}))?(?![\d{_L}])"
        ),
    ),
    (
        "tarikh",
        re.compile(r"(?<![\d.,])(\d{1,2})\s*(?:tarikh|tareekh|tarik|तारीख़|तारीख|ता\.)"),
    ),
)
_NOISE_PATTERNS = (
    re.compile(r"(?<![\d.,])\d{1,2}:\d{2}(?:\s*(?:am|pm))?(?![\d{_L}])".replace("{_L}", _L)),
    re.compile(rf"(?<![\d.,])\d{{1,2}}\s*(?:am|pm|baje|बजे|o'clock)(?![{_L}])"),
    re.compile(rf"\d+(?:\.\d+)?\s*(?:%|percent|pratishat|प्रतिशत)(?![{_L}])"),
)

_TOKEN = re.compile(
    r"(?P<num>\d+(?:[.,]\d+)*)"
    r"|(?P<word>[a-z]+(?:'[a-z]+)?)"
    r"|(?P<deva>[\u0900-\u0963\u0971-\u097f\u200c\u200d]+)"
    r"|(?P<cur>₹)"
    r"|(?P<q>[?？])"
    r"|(?P<sym>[@×*+=/-])"
    r"|(?P<sep>[,;:!|।॥()\[\]{}\"“”‘’'\n.])"
)


# --------------------------------------------------------------------------- tokens


@dataclass(slots=True)
class _Tok:
    kind: str  # num, word, cur, q, sym, sep
    raw: str  # lower-case NFC text, ASCII digits
    key: str  # folded for vocabulary lookups
    start: int
    end: int
    cat: str = ""  # vocabulary category ("" = content word or number)
    value: object = None
    number: bool = False  # part of a number


@dataclass(slots=True)
class _Num:
    value: Decimal
    first: int  # token indexes
    last: int
    price_mark: int = 0
    qty_mark: int = 0
    unit_marked: bool = False  # "A x B": B is per piece
    factor: int = 1  # dozen


def _tokenize(text: str) -> list[_Tok]:
    tokens = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "sep"
        raw = m.group()
        if kind == "deva":
            kind = "word"
            raw = raw.translate(_ZW)
            if not raw:
                continue
        tokens.append(_Tok(kind, raw, _fold_key(raw), m.start(), m.end()))
    return tokens


def _tag(tokens: list[_Tok]) -> None:
    """Tag vocabulary words and phrases (longest phrase first, left to right)."""
    i = 0
    n = len(tokens)
    while i < n:
        tok = tokens[i]
        if tok.kind == "cur":
            tok.cat = "currency"
            i += 1
            continue
        if tok.kind not in ("word", "sym"):
            i += 1
            continue
        matched = 0
        for size in range(min(_LONGEST_PHRASE, n - i), 0, -1):
            span = tokens[i : i + size]
            if any(t.kind not in ("word", "sym") for t in span):
                continue
            hit = _VOCAB.get(tuple(t.key for t in span))
            if hit is not None:
                for t in span:
                    t.cat, t.value = hit
                matched = size
                break
        i += matched or 1


# --------------------------------------------------------------------------- numbers


@functools.lru_cache(maxsize=4096)
def _word_number(text: str) -> Decimal | None:
    return parse_number(text)


def _is_number_word(tok: _Tok) -> bool:
    if tok.kind != "word":
        return False
    if tok.raw in _MULTIPLIER_WORDS or tok.raw in _MODIFIER_WORDS:
        return True
    return _word_number(tok.raw) is not None


def _content(tok: _Tok | None) -> bool:
    return tok is not None and tok.kind == "word" and not tok.number and tok.cat in ("", "set")


def _read_numbers(tokens: list[_Tok]) -> list[_Num]:
    """Group number tokens into numbers (greedy longest run that parse_number accepts)."""
    numbers: list[_Num] = []
    n = len(tokens)
    i = 0
    while i < n:
        tok = tokens[i]
        if tok.kind == "num":
            j = i + 1
            # digits may be followed by multiplier words: "3 sau", "2 lakh", "2k"
            while j < n and j - i < _MAX_NUMBER_RUN and tokens[j].kind == "word":
                w = tokens[j].raw
                glued = tokens[j].start == tokens[j - 1].end
                if w in _ABBREV_MULTIPLIERS and not glued:
                    break
                if w not in _MULTIPLIER_WORDS:
                    break
                j += 1
        elif _is_number_word(tok) and tok.raw not in _ABBREV_MULTIPLIERS:
            j = i + 1
            while j < n and j - i < _MAX_NUMBER_RUN and tokens[j].kind == "word":
                w = tokens[j].raw
                if w in _ABBREV_MULTIPLIERS:
                    break
                if w in _FILLER_WORDS:
                    if j + 1 < n and _is_number_word(tokens[j + 1]):
                        j += 1
                        continue
                    break
                if not _is_number_word(tokens[j]):
                    break
                j += 1
        else:
            i += 1
            continue
        # longest prefix of tokens[i:j] that is one number ("2,3" is none: skipped)
        value: Decimal | None = None
        end = j
        while end > i:
            value = _word_number(" ".join(t.raw for t in tokens[i:end]))
            if value is not None:
                break
            end -= 1
        if value is None:
            i += 1
            continue
        first_word = tokens[i]
        if end - i == 1 and first_word.kind == "word" and not _standalone_ok(tokens, i):
            i += 1
            continue
        if value <= 0 or value >= Decimal(10) ** 9:
            i = end
            continue
        for t in tokens[i:end]:
            t.number = True
        numbers.append(_Num(value, i, end - 1))
        i = end
    return numbers


def _standalone_ok(tokens: list[_Tok], i: int) -> bool:
    """A lone number word: risky words ("do", "sat", "सो") need a content word after them;
    "ek"/"one" tagged as stop words are still numbers; multipliers alone ("sau") are fine."""
    tok = tokens[i]
    if tok.raw not in _RISKY_NUMBER_WORDS:
        return True
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    if nxt is None:
        return False
    return nxt.kind == "num" or (nxt.kind == "word" and nxt.cat in ("", "set", "qty_unit"))


def _neighbor(tokens: list[_Tok], index: int, step: int) -> _Tok | None:
    """The next token in a direction, skipping "." and ":" (as in "Rs. 300")."""
    index += step
    while 0 <= index < len(tokens):
        tok = tokens[index]
        if tok.kind == "sep" and tok.raw in (".", ":"):
            index += step
            continue
        return tok
    return None


def _mark_numbers(tokens: list[_Tok], numbers: list[_Num]) -> None:
    for num in numbers:
        before = _neighbor(tokens, num.first, -1)
        after = _neighbor(tokens, num.last, +1)
        before_cat = before.cat if before is not None else ""
        after_cat = after.cat if after is not None else ""
        if before_cat in ("currency", "price_before") or (
            before is not None and before.key in _ALSO_UNIT_KIND
        ):
            num.price_mark += 3
        if after_cat in ("currency", "unit_kind", "total_kind"):
            num.price_mark += 3
        elif after_cat == "price_after":
            num.price_mark += 2
        if after_cat in ("qty_unit", "dozen", "set"):
            num.qty_mark += 3
            if after_cat == "dozen":
                num.factor = 12
        elif _content(after):
            num.qty_mark += 2
        if before is not None and before.cat == "qty_before" and before.kind == "word":
            num.qty_mark += 3
    # "3 x 450", "3x450"
    for a, b in itertools.pairwise(numbers):
        between = tokens[a.last + 1 : b.first]
        if len(between) == 1 and between[0].raw in _X_SYMBOLS:
            a.qty_mark += 3
            b.price_mark += 3
            b.unit_marked = True


def _integral_qty(num: _Num) -> int | None:
    value = num.value * num.factor
    if value != value.to_integral_value() or not 0 < value <= MAX_QUANTITY:
        return None
    return int(value)


def _assign(numbers: list[_Num]) -> tuple[_Num | None, _Num | None]:
    """Choose (quantity, price) among the numbers (see the module docstring)."""
    if not numbers:
        return None, None
    if len(numbers) == 1:
        num = numbers[0]
        if num.price_mark > num.qty_mark or _integral_qty(num) is None:
            return None, num
        if num.qty_mark > num.price_mark:
            return num, None
        return (num, None) if num.value < 10 else (None, num)
    # pairs: (score, 1, earlier quantity, earlier price, -); single prices: (score, 0, larger)
    best: tuple[float, int, Decimal, int, Decimal] | None = None
    choice: tuple[_Num | None, _Num | None] = (None, None)
    for qi, q in enumerate(numbers):
        if _integral_qty(q) is None:
            continue
        q_value = q.value * q.factor
        for pi, p in enumerate(numbers):
            if pi == qi:
                continue
            order = 1 if q_value < p.value else (-1 if q_value > p.value else 0)
            rank = (q.qty_mark + p.price_mark + order, 1, Decimal(-qi), -pi, p.value)
            if best is None or rank > best:
                best, choice = rank, (q, p)
    # a price alone, when no pair reads well ("dedh kurta becha 300": 1.5 is no quantity)
    for pi, p in enumerate(numbers):
        rank = (p.price_mark - 0.5, 0, p.value, -pi, Decimal(0))
        if best is None or rank > best:
            best, choice = rank, (None, p)
    return choice


# --------------------------------------------------------------------------- dates


def _valid_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _latest_not_after(month: int, day: int, today: date) -> date | None:
    for year in (today.year, today.year - 1):
        d = _valid_date(year, month, day)
        if d is not None and d <= today:
            return d
    return None


def _year(text: str | None) -> int | None:
    if not text:
        return None
    y = int(text)
    return y + 2000 if y < 100 else y


def _explicit_date(kind: str, m: re.Match[str], today: date) -> date | None:
    g = m.groups()
    if kind == "ymd":
        d = _valid_date(int(g[0]), int(g[1]), int(g[2]))
    elif kind == "dmy":
        year = _year(g[2])
        d = _valid_date(year, int(g[1]), int(g[0])) if year else None
    elif kind == "dm":
        return _latest_not_after(int(g[1]), int(g[0]), today)
    elif kind in ("d_mon", "mon_d"):
        day_text, month_text = (g[0], g[1]) if kind == "d_mon" else (g[1], g[0])
        month = _MONTHS.get(_fold_key(month_text))
        if month is None:
            return None
        year = _year(g[2])
        if year is None:
            return _latest_not_after(month, int(day_text), today)
        d = _valid_date(year, month, int(day_text))
    else:  # tarikh: this month, or the previous one if that day is still to come
        day = int(g[0])
        d = _valid_date(today.year, today.month, day)
        if d is None or d > today:
            first = today.replace(day=1) - timedelta(days=1)
            if day > calendar.monthrange(first.year, first.month)[1]:
                return None
            d = first.replace(day=day)
    if d is None or d > today:
        return None
    return d


def _blank(text: str, start: int, end: int) -> str:
    """Replace text[start:end] with a separator and spaces (same length)."""
    return text[:start] + ";" + " " * (end - start - 1) + text[end:]


def _take_out_dates(text: str, today: date) -> tuple[str, date | None, bool]:
    found: date | None = None
    said = False
    for kind, pattern in _DATE_PATTERNS:
        for m in list(pattern.finditer(text)):
            if kind == "dm" and _looks_like_price_slash(text, m):
                continue
            if kind in ("d_mon", "tarikh", "mon_d"):
                day_text = m.group(2) if kind == "mon_d" else m.group(1)
                if not 1 <= int(day_text) <= 31:
                    continue  # "50 may becha": Hinglish "may" (में), not May
            d = _explicit_date(kind, m, today)
            if not said:
                found, said = d, True
            text = _blank(text, m.start(), m.end())
    for pattern in _NOISE_PATTERNS:
        for m in list(pattern.finditer(text)):
            text = _blank(text, m.start(), m.end())
    return text, found, said


def _looks_like_price_slash(text: str, m: re.Match[str]) -> bool:
    # "12/11" is a date, but "300/pc" or "1/2" after a currency mark is not
    a, b = int(m.group(1)), int(m.group(2))
    return not (1 <= a <= 31 and 1 <= b <= 12)


def _day_from_words(tokens: list[_Tok], numbers: list[_Num], today: date) -> date | None:
    for i, tok in enumerate(tokens):
        if tok.cat in ("day0", "day1", "day2"):
            return today - timedelta(days=int(tok.cat[-1]))
        if tok.cat == "weekday":
            back = (today.weekday() - int(tok.value)) % 7 or 7  # type: ignore[call-overload]
            return today - timedelta(days=back)
        if tok.cat == "din":
            # "2 din pehle", "do दिन पहले", "3 days ago"
            before = [num for num in numbers if num.last == i - 1]
            after = _neighbor(tokens, i, +1)
            if before and after is not None and after.cat == "ago":
                value = before[0].value
                if value == value.to_integral_value() and 0 < value <= 366:
                    return today - timedelta(days=int(value))
    return None


# --------------------------------------------------------------------------- products

_CONNECTORS = frozenset(
    "ka ki ke का की के of and aur और with se से wala wali wale वाला वाली वाले the a for".split()
)
_GENERIC_PRODUCT_WORDS = (
    "set sets सेट pack packet box piece pair jodi जोड़ी small big large medium chota chhota"
    " bada bara छोटा बड़ा new naya नया design item"
)


def _canon_forms(word: str) -> frozenset[str]:
    """Inflection forms of one folded Latin key word (singular/plural, direct/oblique)."""
    forms = {word}
    todo = [word]
    while todo:
        w = todo.pop()
        new: list[str] = []
        if len(w) >= 4 and w[-3:] in ("ian", "ion", "ien"):
            new.append(w[:-3] + "i")  # साड़ियाँ → sari, kurtiyon → kurti
        if len(w) >= 4 and w[-2:] in ("on", "en"):
            new += [w[:-2] + "a", w[:-2]]  # kurton → kurta, चादरें → cadar
        if len(w) >= 3 and w.endswith("e"):
            new += [w[:-1] + "a", w[:-1]]  # kurte → kurta, diye (die) → dia
        if len(w) >= 4 and w.endswith("s") and not w.endswith("ss"):
            new.append(w[:-1])  # kurtas → kurta, sarees → sari
        for f in new:
            if f and f not in forms:
                forms.add(f)
                todo.append(f)
    return frozenset(forms)


# one written syllable: consonants joined by virama, a vowel sign, a nasal mark
_AKSHARA = re.compile(
    r"(?:[\u0915-\u0939\u0958-\u095f]\u093c?\u094d)*[\u0915-\u0939\u0958-\u095f]\u093c?"
    r"[\u093e-\u094c\u0962\u0963]?[\u0901-\u0903]?"
    r"|[\u0904-\u0914\u0960\u0961][\u0901-\u0903]?"
)
_VOWEL_FOLDS = (("au", "o"), ("ai", "e"))


def _vowel_fold(key: str) -> str:
    for a, b in _VOWEL_FOLDS:
        key = key.replace(a, b)  # खिलौना = khilona, पैसे = pese
    return key


def _phonetic_variants(word: str) -> tuple[str, ...]:
    """Phonetic keys of one raw word.

    ड़/ढ़ are read both as "d" and as "r" (साड़ी = sadi = sari). Devanagari is also read
    syllable by syllable, keeping every inherent "a" (चादरें = chaadaren ~ chadar), since
    Hinglish spellings often keep the vowel that Hindi drops.
    """
    texts = {word}
    if "\u093c" in word:
        texts.add(word.replace("ड\u093c", "र").replace("ढ\u093c", "र"))
    keys: list[str] = []
    for t in texts:
        keys.extend(phonetic_keys(t))
        if _HAS_DEVANAGARI.search(t):
            syllables = _AKSHARA.findall(t)
            if len(syllables) > 1:
                keys.append(" ".join(phonetic_key(s) for s in syllables))
    return tuple(dict.fromkeys(_vowel_fold(k.replace(" ", "")) for k in keys if k.strip()))


@dataclass(frozen=True, slots=True)
class _Forms:
    exact: frozenset[str]  # every inflection form, bare stems included
    fuzzy: tuple[str, ...]  # forms ending in a vowel or as written: for fuzzy comparison


_NO_FORMS = _Forms(frozenset(), ())


@functools.lru_cache(maxsize=8192)
def _word_forms(word: str) -> _Forms:
    exact: set[str] = set()
    fuzzy: dict[str, None] = {}
    for key in _phonetic_variants(word):
        fuzzy[key] = None
        forms = _canon_forms(key)
        exact |= forms
        for f in forms:
            if f[-1:] in ("a", "i"):
                fuzzy[f] = None
    return _Forms(frozenset(exact), tuple(fuzzy))


@functools.lru_cache(maxsize=1)
def _generic_forms() -> frozenset[str]:
    result: set[str] = set()
    for w in _prepare(_GENERIC_PRODUCT_WORDS).split():
        result |= _word_forms(w).exact
    return frozenset(result)


@dataclass(frozen=True, slots=True)
class _NameKey:
    words: tuple[_Forms, ...]  # forms of each significant name word
    weights: tuple[int, ...]
    generic: tuple[bool, ...]


@functools.lru_cache(maxsize=2048)
def _name_key(name: str) -> _NameKey:
    words: list[_Forms] = []
    weights: list[int] = []
    generic: list[bool] = []
    generic_forms = _generic_forms()
    for m in _TOKEN.finditer(_prepare(name)):
        if m.lastgroup not in ("word", "deva", "num"):
            continue
        raw = m.group().translate(_ZW)
        if not raw or _fold_key(raw) in _CONNECTORS:
            continue
        forms = _Forms(frozenset({raw}), ()) if m.lastgroup == "num" else _word_forms(raw)
        if not forms.exact:
            continue
        words.append(forms)
        weights.append(max(min(len(f) for f in forms.exact), 1))
        generic.append(bool(forms.exact & generic_forms))
    return _NameKey(tuple(words), tuple(weights), tuple(generic))


def _similarity(a: _Forms, b: _Forms) -> float:
    """100 for a shared inflection form, else the best fuzzy ratio (>= 85) or a prefix
    match of at least 5 letters (90); 0 when nothing is close."""
    if a.exact & b.exact:
        return 100.0
    best = 0.0
    for x in a.fuzzy:
        for y in b.fuzzy:
            shorter = min(len(x), len(y))
            if shorter < 4:
                continue
            if shorter >= _MIN_PREFIX and (x.startswith(y) or y.startswith(x)):
                best = max(best, _PREFIX_MATCH)
                continue
            r = fuzz.ratio(x, y)
            if r >= _WORD_MATCH and r > best:
                best = r
    return best


@dataclass(frozen=True, slots=True)
class _Scored:
    product: ProductRef
    score: float  # 0-100: how much of the name is covered
    used: int  # message words used
    indexes: tuple[int, ...]  # which message words matched


def _score_product(product: ProductRef, words: Sequence[_Forms]) -> _Scored | None:
    key = _name_key(product.name)
    if not key.words:
        return None
    total = sum(key.weights)
    covered = 0.0
    significant = False
    used: set[int] = set()
    for forms, weight, generic in zip(key.words, key.weights, key.generic, strict=True):
        best, best_index = 0.0, -1
        for index, message_forms in enumerate(words):
            s = _similarity(forms, message_forms)
            if s > best:
                best, best_index = s, index
        if best > 0:
            covered += weight * best
            used.add(best_index)
            if not generic:
                significant = True
    if not significant:
        return None
    return _Scored(product, covered / total, len(used), tuple(sorted(used)))


def _choose(scored: list[_Scored]) -> tuple[_Scored | None, tuple[_Scored, ...]]:
    if not scored:
        return None, ()
    scored.sort(key=lambda s: (-s.score, -s.used, s.product.id))
    top = scored[0]
    if len(scored) == 1:
        return top, ()
    second = scored[1]
    clear = (top.score >= _FULL and second.score < _FULL and top.used >= second.used) or (
        top.score - second.score >= _LEAD_MARGIN
    )
    if clear:
        return top, ()
    close = tuple(s for s in scored if top.score - s.score < _LEAD_MARGIN)[:_MAX_CANDIDATES]
    return None, close


def _match_sku(text: str, products: Sequence[ProductRef]) -> tuple[ProductRef, int, int] | None:
    for product in products:
        sku = (product.sku or "").strip().lower()
        if len(sku) < 3:
            continue
        pattern = r"(?<![a-z0-9])" + re.escape(normalize_digits(sku)) + r"(?![a-z0-9])"
        m = re.search(pattern, text)
        if m:
            return product, m.start(), m.end()
    return None


def match_product(text: str, products: Sequence[ProductRef]) -> ProductMatch:
    """Match free text (a message fragment or a marketplace listing title) to a product.

    Same rules as in :func:`parse_sale`: SKU first, then phonetic word matching.
    """
    if not isinstance(text, str) or not products:
        return ProductMatch(None, (), None, 0.0)
    prepared = _prepare(text[:MAX_INPUT_CHARS])
    sku_hit = _match_sku(prepared, products)
    if sku_hit is not None:
        product, start, end = sku_hit
        source = unicodedata.normalize("NFC", text[:MAX_INPUT_CHARS])
        if len(source) != len(prepared):
            source = prepared
        return ProductMatch(product.id, (), source[start:end], 100.0)
    tokens = [t for t in _tokenize(prepared[: MAX_SALE_CHARS * 2]) if t.kind == "word"]
    return _match_in_tokens(tokens, list(range(len(tokens))), products, text, prepared)


def _match_in_tokens(
    tokens: list[_Tok],
    content: list[int],
    products: Sequence[ProductRef],
    original: str,
    prepared: str,
) -> ProductMatch:
    words = [_word_forms(tokens[i].raw) for i in content]
    scored = [s for p in products if (s := _score_product(p, words)) is not None]
    best, close = _choose(scored)
    if best is not None:
        span = [content[i] for i in best.indexes]
        return ProductMatch(
            best.product.id, (), _span_text(tokens, span, original, prepared), best.score
        )
    if close:
        span = sorted({content[i] for s in close for i in s.indexes})
        return ProductMatch(
            None,
            tuple(s.product.id for s in close),
            _span_text(tokens, span, original, prepared),
            close[0].score,
        )
    return ProductMatch(None, (), None, 0.0)


def _span_text(tokens: list[_Tok], indexes: list[int], original: str, prepared: str) -> str | None:
    if not indexes:
        return None
    first, last = min(indexes), max(indexes)
    if last - first > 4:  # scattered words: keep the first run only
        last = first
        while last + 1 in indexes:
            last += 1
    source = unicodedata.normalize("NFC", original)
    if len(source) != len(prepared):
        source = prepared
    text = source[tokens[first].start : tokens[last].end].strip()
    return text or None


# --------------------------------------------------------------------------- channels


@functools.lru_cache(maxsize=1)
def _fuzzy_channel_keys() -> tuple[tuple[str, str], ...]:
    return tuple(
        (k.replace(" ", ""), code) for w, code in _FUZZY_CHANNELS.items() for k in phonetic_keys(w)
    )


def _fuzzy_channel(word: str) -> str | None:
    if len(word) < 5:
        return None
    for key in _phonetic_variants(word):
        for channel_key, code in _fuzzy_channel_keys():
            if key == channel_key or (len(key) >= 5 and fuzz.ratio(key, channel_key) >= 85):
                return code
    return None


def channel_code(text: str | None) -> str | None:
    """The channel code named by a short text ("Flipkart", "ODOP mart", "मेला", "own shop",
    "odop_mart"), or None when it names none."""
    if not isinstance(text, str) or not text.strip():
        return None
    prepared = _prepare(text[:200]).strip()
    code = prepared.replace(" ", "_").replace("-", "_")
    if code in CHANNELS:
        return code
    tokens = _tokenize(prepared)
    _tag(tokens)
    for tok in tokens:
        if tok.cat == "channel":
            return str(tok.value)
    for tok in tokens:
        if tok.kind == "word" and (found := _fuzzy_channel(tok.raw)):
            return found
    return None


# --------------------------------------------------------------------------- parse_sale


def _price_kind(tokens: list[_Tok], price: _Num) -> PriceKind | None:
    if price.unit_marked:
        return "unit"
    after = _neighbor(tokens, price.last, +1)
    if after is not None and after.cat == "currency":
        after = _neighbor(tokens, price.last + 1, +1)
    if after is not None and after.cat in ("qty_unit", "dozen"):
        return "unit"  # "300 rupaye kilo", "50 ₹ meter"
    best: tuple[int, PriceKind] | None = None
    for i, tok in enumerate(tokens):
        kind: PriceKind | None = None
        if tok.cat == "unit_kind" or tok.key in _ALSO_UNIT_KIND:
            kind = "unit"
        elif tok.cat == "total_kind":
            kind = "total"
        elif tok.raw in _KA and i + 1 < len(tokens) and tokens[i + 1].raw in _EK:
            kind = "unit"  # "150 का एक", "300 ka ek"
        elif tok.raw == "/" and i + 1 < len(tokens) and tokens[i + 1].cat == "qty_unit":
            kind = "unit"  # "300/pc"
        if kind is None:
            continue
        distance = min(abs(i - price.first), abs(i - price.last))
        if best is None or distance < best[0]:
            best = (distance, kind)
    return best[1] if best else None


# "dono kurte" = both, "teeno" = all three: a total and, if none is given, the quantity
_ALL_OF = {
    _fold_key(w): n
    for n, words in ((2, "dono donon दोनों"), (3, "teeno teenon तीनों"), (4, "charon चारों"))
    for w in words.split()
}


def _drop_each_one(tokens: list[_Tok], numbers: list[_Num]) -> list[_Num]:
    """ "ek ka 300", "har ek", "हर एक": that "एक" means "each", not a quantity of one."""
    kept = []
    for num in numbers:
        tok = tokens[num.first]
        if num.first == num.last and tok.raw in _EK:
            nxt = tokens[num.first + 1] if num.first + 1 < len(tokens) else None
            prev = tokens[num.first - 1] if num.first > 0 else None
            if nxt is not None and nxt.raw in _KA and (prev is None or prev.raw not in _KA):
                tok.cat = "unit_kind"
                nxt.cat = "unit_kind"
                continue
            if prev is not None and prev.key in ("har", "हर"):
                tok.cat = "unit_kind"
                continue
            # "250 rupaye ek", "250 ek": a price for one (but "300 rupaye ek kurta" is a count)
            after_price = prev is not None and (prev.cat == "currency" or prev.number)
            if after_price and not _content(nxt):
                tok.cat = "unit_kind"
                continue
        kept.append(num)
    return kept


def _classify(tokens: list[_Tok]) -> str | None:
    """The reason this is not a sale, or None."""
    cats = {t.cat for t in tokens}
    if any(t.kind == "q" for t in tokens) or "question" in cats:
        return "question"
    if "negation" in cats:
        return "negative"
    if "return" in cats:
        return "return"
    if "future" in cats:
        return "future"
    if "habitual" in cats:
        return "habitual"
    if "expense" in cats:
        return "expense"
    if "purchase" in cats and "customer" not in cats:
        return "purchase"
    if "request" in cats and "sale" not in cats:
        return "request"
    return None


def parse_sale(text: str, products: Sequence[ProductRef], today: date) -> SaleReading:
    """Read a one-line sale message; see the module docstring for the rules."""
    if not isinstance(text, str):
        return _not_sale("empty")
    original = text[:MAX_INPUT_CHARS]
    collapsed = " ".join(original.split())
    if not collapsed:
        return _not_sale("empty")
    if len(collapsed) > MAX_SALE_CHARS:
        return _not_sale("too_long")
    if collapsed.startswith("/"):
        return _not_sale("command")
    original = unicodedata.normalize("NFC", collapsed)
    prepared = _prepare(original)
    if len(prepared) != len(original):
        original = prepared
    working = prepared.replace("/-", " ₹")

    # an exact SKU names the product; its digits must not be read as numbers
    sku_hit = _match_sku(working, products)
    if sku_hit is not None:
        working = _blank(working, sku_hit[1], sku_hit[2])

    working, explicit_day, day_said = _take_out_dates(working, today)
    tokens = _tokenize(working)
    _tag(tokens)
    numbers = _read_numbers(tokens)
    numbers = _drop_each_one(tokens, numbers)

    reason = _classify(tokens)
    if reason is not None:
        return _not_sale(reason)

    day = explicit_day if day_said else _day_from_words(tokens, numbers, today)
    # "2 din pehle" is a day, not a quantity
    numbers = [
        n
        for n in numbers
        if not ((after := _neighbor(tokens, n.last, +1)) is not None and after.cat == "din")
    ]
    _mark_numbers(tokens, numbers)
    qty_num, price_num = _assign(numbers)

    quantity = _integral_qty(qty_num) if qty_num is not None else None
    amount: int | None = None
    if price_num is not None:
        paise = (price_num.value * 100).quantize(Decimal(1), ROUND_HALF_UP)
        if 0 < paise <= MAX_PRICE_PAISE:
            amount = int(paise)

    # channel: vocabulary first, then near spellings of the big names
    channel = next((str(t.value) for t in tokens if t.cat == "channel"), None)
    if channel is None:
        for tok in tokens:
            if _content(tok) and (found := _fuzzy_channel(tok.raw)):
                channel, tok.cat = found, "channel"
                break

    content = [i for i, t in enumerate(tokens) if _content(t)]
    if sku_hit is None and _several_products(tokens, numbers, content, products, prepared):
        return _not_sale("several")
    if sku_hit is not None:
        product_match = ProductMatch(
            sku_hit[0].id, (), original[sku_hit[1] : sku_hit[2]].strip() or None, 100.0
        )
    elif products and content:
        product_match = _match_in_tokens(tokens, content, products, original, prepared)
    else:
        product_match = ProductMatch(None, (), None, 0.0)
    product_text = product_match.text
    if product_text is None and content:
        product_text = _unmatched_product_text(tokens, content, qty_num, original)

    if quantity is None and content and _article_before(tokens, content[0]):
        quantity = 1  # "sold a kurta for 500"
    if quantity is None:
        quantity = next((_ALL_OF[t.key] for t in tokens if t.key in _ALL_OF), None)

    has_sale_word = any(t.cat in ("sale", "sale_noun") for t in tokens) or (
        "customer" in {t.cat for t in tokens} and any(t.cat == "purchase" for t in tokens)
    )
    if has_sale_word:
        if quantity is None and amount is None and product_text is None:
            return _not_sale("empty")
    elif not (quantity is not None and amount is not None and product_text is not None):
        return _not_sale("no_sale_words")

    price_kind: PriceKind | None = None
    if amount is not None and price_num is not None:
        price_kind = _price_kind(tokens, price_num)
        if price_kind is None and quantity == 1:
            price_kind = "unit"

    missing: list[str] = []
    if product_match.product_id is None:
        missing.append("product")
    if quantity is None:
        missing.append("quantity")
    if amount is None:
        missing.append("price")
    elif price_kind is None:
        missing.append("price_kind")

    return SaleReading(
        is_sale=True,
        quantity=quantity,
        amount_paise=amount,
        price_kind=price_kind,
        product_id=product_match.product_id,
        product_candidates=product_match.candidates,
        product_text=product_text,
        channel=channel,
        day=day,
        missing=tuple(missing),
    )


def _several_products(
    tokens: list[_Tok],
    numbers: list[_Num],
    content: list[int],
    products: Sequence[ProductRef],
    prepared: str,
) -> bool:
    """ "2 kurte 900 aur 3 dupatte 600": counts before two different products."""
    if len(numbers) < 3 or not products:
        return False
    in_content = set(content)
    found: set[int] = set()
    for num in numbers:
        run = []
        i = num.last + 1
        while i in in_content:
            run.append(i)
            i += 1
        if run:
            match = _match_in_tokens(tokens, run, products, prepared, prepared)
            if match.product_id is not None:
                found.add(match.product_id)
    return len(found) >= 2


def _article_before(tokens: list[_Tok], index: int) -> bool:
    prev = tokens[index - 1] if index > 0 else None
    return prev is not None and prev.raw in _ARTICLES


def _unmatched_product_text(
    tokens: list[_Tok], content: list[int], qty: _Num | None, original: str
) -> str | None:
    """The content words right after the quantity, else the first run of content words."""
    start = content[0]
    if qty is not None and qty.last + 1 in content:
        start = qty.last + 1
    end = start
    while end + 1 in content or (end + 1 < len(tokens) and tokens[end + 1].cat == "set"):
        end += 1
    text = original[tokens[start].start : tokens[end].end].strip()
    return text or None
