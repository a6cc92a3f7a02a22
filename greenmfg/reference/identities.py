"""Made-up but well-formed enterprise identities: credit codes, names, divisions and industries, vectorised.

Everything is drawn from a numpy Generator so a seed fixes every identity; a million identities take a
fraction of a second.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from greenmfg.cities import CityProfile
from greenmfg.uscc import CHARSET, WEIGHTS

# GB 11714 organisation code: 8 body characters and a check character (weights and modulus 11).
_ORG_WEIGHTS = np.array([3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_ORG_BODY_OLD = 10**8  # integers below: 8 digits (pre-2015 codes); above: "MA" + 6 characters
_MA_SPACE = 31**6

# GB/T 4754-2017 manufacturing classes common in Huzhou (every reference city shares them), with a made-up
# weight and an energy intensity relative to the city average (dyeing, fibres, cement and bricks use more).
INDUSTRIES: tuple[tuple[str, float, float], ...] = (
    ("1462", 1, 0.6),
    ("1514", 1, 0.6),
    ("1713", 4, 2.2),
    ("1722", 2, 1.2),
    ("1741", 2, 1.0),
    ("1742", 4, 1.0),
    ("1751", 5, 1.1),
    ("1752", 4, 2.0),
    ("1771", 3, 0.7),
    ("1819", 3, 0.4),
    ("1820", 3, 0.4),
    ("1830", 1, 0.4),
    ("2011", 2, 0.8),
    ("2021", 3, 1.3),
    ("2022", 1, 1.5),
    ("2041", 4, 0.7),
    ("2110", 5, 0.5),
    ("2120", 2, 0.5),
    ("2130", 1, 0.5),
    ("2231", 2, 1.1),
    ("2614", 2, 2.5),
    ("2641", 3, 0.9),
    ("2710", 2, 1.2),
    ("2720", 1, 0.6),
    ("2821", 2, 2.0),
    ("2822", 4, 2.2),
    ("2921", 2, 1.0),
    ("2922", 2, 0.9),
    ("3011", 1, 6.0),
    ("3021", 2, 1.6),
    ("3031", 2, 3.0),
    ("3130", 2, 2.4),
    ("3311", 3, 0.6),
    ("3435", 2, 0.4),
    ("3441", 3, 0.5),
    ("3444", 3, 0.5),
    ("3451", 4, 0.6),
    ("3453", 2, 0.6),
    ("3670", 5, 0.6),
    ("3811", 2, 0.5),
    ("3812", 5, 0.5),
    ("3825", 2, 0.7),
    ("3831", 3, 0.6),
    ("3841", 2, 0.6),
    ("3843", 2, 0.9),
    ("3981", 2, 0.5),
    ("3985", 2, 0.7),
)

# Trade words by the industry's two-digit division, for names that read like the industry.
_TRADE: dict[str, tuple[str, ...]] = {
    "14": ("食品", "酿造"),
    "15": ("酒业", "酿造"),
    "17": ("纺织", "丝绸", "织造", "印染"),
    "18": ("服饰", "制衣"),
    "20": ("木业", "竹业", "板业"),
    "21": ("家具", "家居"),
    "22": ("纸业", "包装"),
    "26": ("化工", "涂料"),
    "27": ("药业", "生物"),
    "28": ("化纤", "新材料"),
    "29": ("塑业", "新材料"),
    "30": ("建材", "水泥"),
    "31": ("钢业", "金属"),
    "33": ("金属制品", "五金"),
    "34": ("机械", "精工", "轴承", "智能装备"),
    "36": ("汽车部件", "汽配"),
    "38": ("电机", "电气", "电源", "新能源"),
    "39": ("电子", "科技"),
}
_CORE = tuple(
    "华瑞鑫达恒泰宏盛元丰裕隆兴昌荣锦嘉和顺通中天佳美宇辰创新博金银永福信诚明德欣立汇泽润"
    "凯旭晨海鸿远卓越腾飞星光耀扬帆远航晟昊骏铭宸豪奥普森林凌峰亿万家友"
)
_FORM = ("有限公司", "有限公司", "有限公司", "股份有限公司", "科技有限公司", "集团有限公司")


def name_prefixes(city: CityProfile) -> dict[str, tuple[str, str, str, str]]:
    """District → the four ways its firms' names begin: a district's firms write the city first (湖州, 浙江,
    吴兴, none), a county's its own name (德清, 浙江, 湖州, none); all short forms, derived."""
    return {
        d.code: (city.short_name, city.province, d.short_name, "")
        if d.kind == "district"
        else (d.short_name, city.province, city.short_name, "")
        for d in city.districts
    }


def organisation_bodies(rng: np.random.Generator, count: int, exclude: set[int] | None = None) -> np.ndarray:
    """`count` distinct integers that encode distinct 8-character organisation-code bodies."""
    space = _ORG_BODY_OLD + _MA_SPACE
    exclude = exclude or set()
    drawn = np.unique(rng.integers(0, space, size=int(count * 1.05) + 16))
    if exclude:
        drawn = drawn[~np.isin(drawn, np.fromiter(exclude, dtype=np.int64))]
    while drawn.size < count:  # practically never: collisions are rare in a space of 10^9
        more = rng.integers(0, space, size=count)
        drawn = np.unique(np.concatenate([drawn, more]))
    return rng.permutation(drawn)[:count]


def _body_chars(bodies: np.ndarray) -> np.ndarray:
    """Body integers → (n, 8) array of ASCII codes: 8 digits, or 'MA' and 6 USCC characters."""
    out = np.empty((bodies.size, 8), dtype=np.uint8)
    old = bodies < _ORG_BODY_OLD
    digits = np.frombuffer(b"0123456789", dtype=np.uint8)
    value = bodies[old].copy()
    for position in range(7, -1, -1):
        out[old, position] = digits[value % 10]
        value //= 10
    charset = np.frombuffer(CHARSET.encode("ascii"), dtype=np.uint8)
    value = bodies[~old] - _ORG_BODY_OLD
    out[~old, 0], out[~old, 1] = ord("M"), ord("A")
    for position in range(7, 1, -1):
        out[~old, position] = charset[value % 31]
        value //= 31
    return out


def _org_check(body: np.ndarray) -> np.ndarray:
    """GB 11714 check character of organisation-code bodies: (n, 8) ASCII → (n,) ASCII."""
    values = np.where(
        body >= ord("A"), body.astype(np.int64) - ord("A") + 10, body.astype(np.int64) - ord("0")
    )
    check = 11 - (values @ _ORG_WEIGHTS) % 11
    return np.where(check == 10, ord("X"), np.where(check == 11, ord("0"), check + ord("0"))).astype(np.uint8)


def uscc_check(first17: np.ndarray) -> np.ndarray:
    """GB 32100 check character of (n, 17) ASCII arrays, as (n,) ASCII."""
    lookup = np.full(128, 0, dtype=np.int64)
    for value, char in enumerate(CHARSET):
        lookup[ord(char)] = value
    total = lookup[first17] @ np.asarray(WEIGHTS, dtype=np.int64)
    charset = np.frombuffer(CHARSET.encode("ascii"), dtype=np.uint8)
    return charset[(31 - total % 31) % 31]


def credit_codes(area_codes: np.ndarray, bodies: np.ndarray, *, prefix: str = "91") -> np.ndarray:
    """Valid USCCs: registration prefix, 6-digit area, organisation code (body + check), check character."""
    n = bodies.size
    chars = np.empty((n, 18), dtype=np.uint8)
    chars[:, 0:2] = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    chars[:, 2:8] = np.frombuffer("".join(area_codes.tolist()).encode("ascii"), dtype=np.uint8).reshape(n, 6)
    body = _body_chars(bodies)
    chars[:, 8:16] = body
    chars[:, 16] = _org_check(body)
    chars[:, 17] = uscc_check(chars[:, :17])
    return chars.view("S18").ravel().astype(str)


def wrong_check(code: str, shift: int) -> str:
    """The same code with a check character that does not match (real companies have such codes)."""
    return code[:17] + CHARSET[(CHARSET.index(code[17]) + shift) % 31]


def registration_areas(rng: np.random.Generator, districts: np.ndarray, city: CityProfile) -> np.ndarray:
    """Characters 3–8: mostly the district, sometimes the city (registered before a district office)."""
    at_city = rng.random(districts.size) < 0.15
    return np.where(at_city, city.code, districts)


def draw_districts(rng: np.random.Generator, count: int, city: CityProfile) -> np.ndarray:
    """Districts drawn with the profile's (made-up) share of the city's industrial enterprises."""
    codes = np.array(city.district_codes())
    weights = np.array([city.reference.district_weights[c] for c in codes])
    return codes[rng.choice(codes.size, size=count, p=weights / weights.sum())]


def draw_industries(rng: np.random.Generator, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Industry classes and their relative energy intensity."""
    codes = np.array([code for code, _, _ in INDUSTRIES])
    weights = np.array([weight for _, weight, _ in INDUSTRIES], dtype=float)
    intensity = np.array([factor for _, _, factor in INDUSTRIES])
    pick = rng.choice(codes.size, size=count, p=weights / weights.sum())
    return codes[pick], intensity[pick]


def division_codes(
    rng: np.random.Generator, districts: np.ndarray, city: CityProfile
) -> tuple[np.ndarray, np.ndarray]:
    """12-digit division codes inside each district, and whether the place lies in a functional zone (in the
    district most of the profile's zones count in).

    Township part: 001–009 sub-districts, 100–112 towns, 400–402 development zones (functional zones).
    """
    n = districts.size
    kind = rng.random(n)
    town = np.where(kind < 0.3, rng.integers(1, 10, n), rng.integers(100, 113, n))
    in_zone = (kind > 0.9) & (districts == city.zone_district())
    town = np.where(in_zone, rng.integers(400, 403, n), town)
    village = rng.integers(1, 230, n)
    codes = np.char.add(
        np.char.add(districts.astype("U6"), np.char.zfill(town.astype("U3"), 3)),
        np.char.zfill(village.astype("U3"), 3),
    )
    return codes, in_zone


def names(
    rng: np.random.Generator,
    districts: np.ndarray,
    industries: np.ndarray,
    city: CityProfile,
    *,
    placeless: bool = False,
) -> np.ndarray:
    """Enterprise names: [place or province] + two core characters + trade + legal form.

    `placeless` drops the city's place names (firms named after a group), like most national list entries.
    """
    n = districts.size
    core = np.array(_CORE)
    first = core[rng.integers(0, core.size, n)]
    second = core[rng.integers(0, core.size, n)]
    trade = _lookup(industries, lambda code: _TRADE.get(code[:2], ("实业",)), rng.integers(0, 4, n))
    form = np.array(_FORM)[rng.integers(0, len(_FORM), n)]
    if placeless:
        prefix = np.where(rng.random(n) < 0.5, city.province, "")
    else:
        prefix = _lookup(districts, name_prefixes(city).__getitem__, rng.integers(0, 4, n))
    joined = np.char.add(np.char.add(np.char.add(prefix, first), np.char.add(second, trade)), form)
    return np.char.replace(joined, "科技科技", "科技")


def _lookup(keys: np.ndarray, options_of: Callable[[str], tuple[str, ...]], draw: np.ndarray) -> np.ndarray:
    """Vectorised choice among per-key options: row i gets options_of(keys[i])[draw[i] % count]."""
    unique, inverse = np.unique(keys, return_inverse=True)
    table = np.array(
        [[options_of(str(key))[k % len(options_of(str(key)))] for k in range(4)] for key in unique]
    )
    return table[inverse, draw % 4]


def unique_names(
    rng: np.random.Generator,
    districts: np.ndarray,
    industries: np.ndarray,
    city: CityProfile,
    *,
    placeless: bool = False,
    taken: set[str] | None = None,
) -> np.ndarray:
    """Like `names`, redrawn until every name is distinct and none is in `taken`; placeless names hold no
    place name of the city."""
    taken = set(taken or ())
    places = city.place_names()
    result = names(rng, districts, industries, city, placeless=placeless).astype(object)
    for _ in range(50):
        seen: set[str] = set(taken)
        redo = []
        for i, name in enumerate(result.tolist()):
            if name in seen or (placeless and any(p in name for p in places)):
                redo.append(i)
            else:
                seen.add(name)
        if not redo:
            return result
        index = np.array(redo)
        result[index] = names(rng, districts[index], industries[index], city, placeless=placeless)
    raise RuntimeError("could not draw distinct enterprise names")  # pragma: no cover
