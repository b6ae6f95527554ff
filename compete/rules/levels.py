"""Competition levels (DOMAIN.md section 4) and the published policy presets they may use."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Level:
    code: str
    name_zh: str
    name_en: str


LEVELS: tuple[Level, ...] = (
    Level("worldskills", "世界技能大赛", "WorldSkills Competition"),
    Level("national", "全国职业技能大赛(一类)", "National competition (class I)"),
    Level("national-2", "全国行业职业技能竞赛(二类)", "National industry competition (class II)"),
    Level("provincial-1", "省级一类竞赛", "Provincial competition, class I"),
    Level("provincial-2", "省级二类竞赛", "Provincial competition, class II"),
    Level("municipal-1", "市级一类竞赛", "Municipal competition, class I"),
    Level("municipal-2", "市级二类竞赛", "Municipal competition, class II"),
    Level("district", "县区级竞赛", "District or county competition"),
    Level("industry", "行业竞赛", "Industry competition"),
    Level("enterprise", "企业/院校竞赛", "Enterprise or college competition"),
)
LEVEL_CODES = tuple(level.code for level in LEVELS)


# The preset ids are an interface (DESIGN.md); each is a file in rules/presets with its rules and source.
PRESET_IDS = (
    "national-2023",
    "national-2-printing",
    "heilongjiang-provincial-1",
    "heilongjiang-provincial-2",
    "shanxi-provincial-1",
    "tianjin-municipal-1",
    "tianjin-municipal-2",
    "tianjin-enterprise",
    "zhejiang",
    "suqian",
    "jincheng",
    "harbin",
)
