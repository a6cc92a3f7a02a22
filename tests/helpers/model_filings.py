"""Hand-sized bureau filings from a seed, for the model-based test: a few rows each, realistic codes, and
the truth about them (which rows are bad, the money totals) known by construction, not by the pipeline.

A small city of six enterprises in Huzhou's districts files the four bureau types for a few years. Every
filing of a type keeps the same enterprises (the same keys and row count as the filing before it), so the
drift rules of validation never fire; what changes is the amounts, by design:
  - an original or a *moderate* correction: amounts within ±15 % of a base, enterprise by enterprise;
  - a *large* correction: amounts ×3 to ×3.5 (a total moving by more than half: held for review);
  - a *mostly bad* correction (loans, incentives): three quarters of the amounts negative (quarantined).
Revenues stay far from the above-size threshold (20 million yuan) at every scale, so the above-size flag
a filing states always agrees with its revenue.
"""

from __future__ import annotations

import csv
import hashlib
import io
import random
from dataclasses import dataclass
from functools import cached_property

from greenmfg import uscc

TYPES = ("enterprise_stats", "green_register", "incentives", "green_loans")
# Types whose amounts a correction can make negative without breaking a rule other than `minimum`:
# a mostly bad enterprise filing would also be rejected by the row-count drift rule in some designs.
BAD_CORRECTION_TYPES = ("incentives", "green_loans")
# Types whose amounts can triple without breaking a cap (awards and subsidies are capped).
LARGE_CORRECTION_TYPES = ("enterprise_stats", "green_loans")
KINDS = ("original", "moderate", "large", "bad")

# (district code, name as bureaus write it, credit-code authority prefix)
DISTRICTS = (
    ("330502", "吴兴区", "913305027"),
    ("330503", "南浔区", "913305037"),
    ("330521", "德清县", "913305217"),
    ("330522", "长兴县", "913305227"),
    ("330523", "安吉县", "913305237"),
)
INDUSTRIES = ("1462", "1713", "2641", "3311", "3484", "3825")  # manufacturing classes (section C)
NAMES = ("明凯食品", "林天丝绸", "瑞铭化工", "佳轴金属", "凯元机械", "绿源电气")
AWARD, SUBSIDY = "绿色制造示范奖励", "绿色化改造设备投资补助"  # incentive kinds as announced
BANKS = ("中国工商银行湖州分行", "湖州银行", "浙江南浔农村商业银行", "兴业银行湖州分行")
ABOVE_SIZE_REVENUE = (5_000.0, 50_000.0)  # 10,000 yuan: ≥ 2,000 even at ×0.85
SMALL_REVENUE = (200.0, 550.0)  # < 2,000 even at ×3.5
ELECTRICITY_TCE_PER_10K_KWH = 1.229  # 0.1229 kgce/kWh (GB/T 2589, equivalent value) × 10,000 kWh / 1,000

HEADERS = {
    "enterprise_stats": (
        "年份", "统一社会信用代码", "企业名称", "区县代码", "行业代码", "是否规模以上", "营业收入(万元)",
        "工业总产值(万元)", "工业增加值(万元)", "电力(万千瓦时)", "综合能源消费量(吨标准煤)",
    ),
    "green_register": (
        "年份", "名单类型", "级别", "星级", "统一社会信用代码", "企业名称", "区县代码", "批次", "有效期起",
        "是否撤销",
    ),
    "incentives": (
        "年份", "序号", "统一社会信用代码", "企业名称", "县区", "奖补类型", "荣誉名称", "项目名称",
        "设备投资额(万元)", "奖励金额(万元)",
    ),
    "green_loans": (
        "年份", "申请编号", "统一社会信用代码", "企业名称", "区县", "贷款银行", "申请金额(万元)", "申请日期",
    ),
}  # fmt: skip
TITLES = {
    "enterprise_stats": "规上工业企业统计",
    "green_register": "绿色制造名录",
    "incentives": "绿色制造奖补公示",
    "green_loans": "绿色贷款申请",
}


@dataclass(frozen=True)
class Enterprise:
    credit_code: str
    name: str
    district_code: str
    district_name: str
    industry_code: str
    is_above_size: bool
    is_national_factory: bool  # its green-factory accreditation, the same in every year's register
    batch: int
    accredited_from: str


@dataclass(frozen=True)
class Filing:
    """One generated file and what the model knows about it without asking the pipeline."""

    number: int  # landing order within a run: names sort as they were landed
    filing_type: str
    year: int
    kind: str  # one of KINDS
    data: bytes
    bad_rows: frozenset[int]  # 1-based data-row numbers whose amount is negative
    money_totals: dict[str, float]  # per money/energy column: the total over the rows that are not bad
    rows: int

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def name(self) -> str:
        suffix = "" if self.kind == "original" else f"_更正{self.kind}"
        return f"{self.number:04d}_{self.year}年{TITLES[self.filing_type]}{suffix}.csv"

    @property
    def landing_key(self) -> str:
        return f"{self.filing_type}/{self.name}"

    @property
    def slot(self) -> tuple[str, int]:
        return (self.filing_type, self.year)

    @property
    def quarantined_share(self) -> float:
        return len(self.bad_rows) / self.rows

    @property
    def accepted_rows(self) -> int:
        return self.rows - len(self.bad_rows)

    def __repr__(self) -> str:  # short, for Hypothesis's step printing
        return f"Filing({self.number}, {self.filing_type}, {self.year}, {self.kind}, {self.sha256[:12]})"


class City:
    """The enterprises of one generated city and each one's base amounts per year, from a seed."""

    def __init__(self, seed: int, enterprises: int = len(NAMES)) -> None:
        self.seed = seed
        rng = random.Random(seed)
        self.enterprises = [self._enterprise(rng, i) for i in range(enterprises)]
        self._rng = rng

    @staticmethod
    def _enterprise(rng: random.Random, index: int) -> Enterprise:
        code, name, authority = DISTRICTS[index % len(DISTRICTS)]
        body = authority + "".join(rng.choice(uscc.CHARSET[:10]) for _ in range(8))
        credit = body + uscc.check_character(body)
        return Enterprise(
            credit_code=credit,
            name=f"湖州{NAMES[index % len(NAMES)]}有限公司",
            district_code=code,
            district_name=name,
            industry_code=INDUSTRIES[index % len(INDUSTRIES)],
            is_above_size=index % 3 != 2,
            is_national_factory=rng.random() < 0.3,
            batch=rng.randint(1, 5),
            accredited_from=f"{rng.randint(2016, 2018)}-{rng.randint(1, 12):02d}-01",
        )

    def filing(self, number: int, filing_type: str, year: int, kind: str, variant: int) -> Filing:
        """The `kind` filing of a slot; `variant` makes corrections of the same kind differ in their bytes."""
        if kind == "bad" and filing_type not in BAD_CORRECTION_TYPES:
            raise ValueError(f"no mostly bad {filing_type} filing: only {BAD_CORRECTION_TYPES}")
        if kind == "large" and filing_type not in LARGE_CORRECTION_TYPES:
            raise ValueError(f"no large {filing_type} correction: only {LARGE_CORRECTION_TYPES}")
        rng = random.Random(f"{self.seed}/{filing_type}/{year}/{kind}/{variant}")
        base = random.Random(f"{self.seed}/{filing_type}/{year}/base")
        rows = getattr(self, f"_{filing_type}")(year, base, rng, kind)
        bad = frozenset(range(1, len(rows) + 1)[1:]) if kind == "bad" else frozenset()
        totals = {}
        for column, header in MONEY_COLUMNS[filing_type].items():
            if kind == "bad":
                for row in bad:
                    rows[row - 1][header] = -abs(rows[row - 1][header] or 1.0)
            totals[column] = round(
                sum(row[header] or 0.0 for i, row in enumerate(rows, 1) if i not in bad), 6
            )
        return Filing(
            number, filing_type, year, kind, _csv(HEADERS[filing_type], rows), bad, totals, len(rows)
        )

    @staticmethod
    def _scale(rng: random.Random, kind: str) -> float:
        if kind == "large":
            return rng.uniform(3.0, 3.5)
        return rng.uniform(0.87, 1.15) if kind in ("moderate", "bad") else 1.0

    def _enterprise_stats(self, year: int, base: random.Random, rng: random.Random, kind: str) -> list[dict]:
        rows = []
        for e in self.enterprises:
            low, high = ABOVE_SIZE_REVENUE if e.is_above_size else SMALL_REVENUE
            revenue = round(base.uniform(low, high) * self._scale(rng, kind), 1)
            output = round(revenue * base.uniform(0.9, 1.1), 1)
            electricity = round(base.uniform(50, 900) * self._scale(rng, kind), 2)
            rows.append({
                "年份": year, "统一社会信用代码": e.credit_code, "企业名称": e.name,
                "区县代码": e.district_code, "行业代码": e.industry_code,
                "是否规模以上": "是" if e.is_above_size else "否", "营业收入(万元)": revenue,
                "工业总产值(万元)": output, "工业增加值(万元)": round(output * base.uniform(0.15, 0.35), 1),
                "电力(万千瓦时)": electricity,
                "综合能源消费量(吨标准煤)": round(electricity * ELECTRICITY_TCE_PER_10K_KWH, 2),
            })  # fmt: skip
        return rows

    def _green_register(self, year: int, base: random.Random, rng: random.Random, kind: str) -> list[dict]:
        rows = []
        for e in self.enterprises[: len(self.enterprises) // 2 + 1]:
            national = e.is_national_factory
            rows.append({
                "年份": year, "名单类型": "绿色工厂", "级别": "国家级" if national else "市级",
                "星级": "" if national else rng.choice((3, 4, 5)) if kind != "original" else 3,
                "统一社会信用代码": e.credit_code, "企业名称": e.name, "区县代码": e.district_code,
                "批次": e.batch, "有效期起": e.accredited_from, "是否撤销": "否",
            })  # fmt: skip
        return rows

    def _incentives(self, year: int, base: random.Random, rng: random.Random, kind: str) -> list[dict]:
        rows = []
        for number, e in enumerate(self.enterprises[:4], 1):
            award = number % 2 == 1
            investment = round(base.uniform(3000, 5000), 1)
            ceiling = 1000.0 if award else min(0.1 * investment, 500.0)  # policy caps (DOMAIN.md)
            amount = round(min(base.uniform(0.6, 0.8) * ceiling * self._scale(rng, kind), ceiling), 1)
            rows.append({
                "年份": year, "序号": number, "统一社会信用代码": e.credit_code, "企业名称": e.name,
                "县区": e.district_name, "奖补类型": AWARD if award else SUBSIDY,
                "荣誉名称": "国家级绿色工厂" if award else "",
                "项目名称": "" if award else f"{year}年技术改造",
                "设备投资额(万元)": "" if award else investment, "奖励金额(万元)": amount,
            })  # fmt: skip
        return rows

    def _green_loans(self, year: int, base: random.Random, rng: random.Random, kind: str) -> list[dict]:
        rows = []
        for number, e in enumerate(self.enterprises[:4], 1):
            rows.append({
                "年份": year, "申请编号": f"LZ{year}{number:04d}", "统一社会信用代码": e.credit_code,
                "企业名称": e.name, "区县": e.district_name, "贷款银行": BANKS[number % len(BANKS)],
                "申请金额(万元)": round(base.uniform(800, 1200) * self._scale(rng, kind), 1),
                "申请日期": f"{year}-0{number + 1}-1{number}",
            })  # fmt: skip
        return rows


# Money and energy columns per type: canonical name → the header the generator writes.
MONEY_COLUMNS = {
    "enterprise_stats": {
        "revenue_10k_yuan": "营业收入(万元)",
        "gross_output_10k_yuan": "工业总产值(万元)",
        "value_added_10k_yuan": "工业增加值(万元)",
        "electricity_10k_kwh": "电力(万千瓦时)",
        "energy_total_tce": "综合能源消费量(吨标准煤)",
    },
    "green_register": {},
    "incentives": {"amount_10k_yuan": "奖励金额(万元)"},
    "green_loans": {"loan_amount_10k_yuan": "申请金额(万元)"},
}


def _csv(headers: tuple[str, ...], rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=headers, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")
